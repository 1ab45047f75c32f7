// Mattermost-flavoured markdown to safe HTML: GitHub-style markdown (marked), code blocks
// highlighted (highlight.js, a few languages), emoji shortcodes, @mentions highlighted,
// ~channel links, and every result sanitized (DOMPurify) before it reaches the page.

import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked, type Tokens } from 'marked';

import { replaceShortcodes } from './emoji';

for (const [name, lang] of Object.entries({ bash, go, javascript, json, python, rust, sql, typescript, yaml })) hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell'], { languageName: 'bash' });
hljs.registerAliases(['js', 'jsx'], { languageName: 'javascript' });
hljs.registerAliases(['ts', 'tsx'], { languageName: 'typescript' });
hljs.registerAliases(['rs'], { languageName: 'rust' });
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['yml'], { languageName: 'yaml' });

export interface RenderContext {
  /** The viewer's username: their own mentions are marked stronger. */
  username?: string;
  /** The current team's name, for ~channel links. */
  teamName?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const SPECIAL_MENTIONS = new Set(['channel', 'all', 'here']);

/** Turn @mentions, ~channels and :emoji: in a run of (already escaped) text into markup. */
function decorate(text: string, ctx: RenderContext): string {
  let out = replaceShortcodes(text);
  out = out.replace(/(^|[^\w@.-])@([a-z0-9][a-z0-9._-]*[a-z0-9_]|[a-z0-9])/gi, (_m, pre: string, name: string) => {
    const lower = name.toLowerCase();
    const self = lower === ctx.username?.toLowerCase() || SPECIAL_MENTIONS.has(lower);
    return `${pre}<span class="mention${self ? ' mention--self' : ''}" data-mention="${lower}">@${name}</span>`;
  });
  if (ctx.teamName) {
    const team = encodeURIComponent(ctx.teamName);
    out = out.replace(/(^|[^\w~])~([a-z0-9][a-z0-9_-]*)/gi, (_m, pre: string, name: string) => {
      return `${pre}<a class="channel-link" data-channel-mention="${name.toLowerCase()}" href="/${team}/channels/${name.toLowerCase()}">~${name}</a>`;
    });
  }
  return out;
}

function makeMarked(ctx: RenderContext): Marked {
  const marked = new Marked({ gfm: true, breaks: true });
  marked.use({
    renderer: {
      code({ text, lang }: Tokens.Code) {
        const language = (lang ?? '').trim().split(/\s+/)[0];
        const known = language && hljs.getLanguage(language);
        const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
        const label = known ? ` data-lang="${escapeHtml(language)}"` : '';
        return `<pre class="code-block"${label}><code class="hljs">${body}</code></pre>`;
      },
      text(token: Tokens.Text | Tokens.Escape) {
        if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
        return decorate(escapeHtml(token.text), ctx);
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(href)}"${t} target="_blank" rel="noopener noreferrer">${inner}</a>`;
      },
    },
  });
  return marked;
}

let purifierReady = false;
function sanitize(html: string): string {
  if (!purifierReady) {
    // Links open in a new tab without handing it this window.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('target') === '_blank') node.setAttribute('rel', 'noopener noreferrer');
    });
    purifierReady = true;
  }
  return DOMPurify.sanitize(html, {
    ADD_ATTR: ['target', 'data-mention', 'data-channel-mention', 'data-lang'],
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe'],
  });
}

const cache = new Map<string, string>();

/** A message's HTML, safe to put in the page. */
export function renderMarkdown(message: string, ctx: RenderContext = {}): string {
  const key = `${ctx.username ?? ''}\u0000${ctx.teamName ?? ''}\u0000${message}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = sanitize(makeMarked(ctx).parse(message, { async: false }) as string);
  if (cache.size > 2000) cache.clear();
  cache.set(key, html);
  return html;
}

/** Plain text with emoji (attachment titles, fields without markdown). */
export function renderInline(text: string, ctx: RenderContext = {}): string {
  const key = `inline\u0000${ctx.username ?? ''}\u0000${ctx.teamName ?? ''}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = sanitize(makeMarked(ctx).parseInline(text, { async: false }) as string);
  cache.set(key, html);
  return html;
}
