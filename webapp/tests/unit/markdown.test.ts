import { describe, expect, it } from 'vitest';

import { emojiGlyph, replaceShortcodes, searchEmoji } from '../../src/markdown/emoji';
import { renderInline, renderMarkdown } from '../../src/markdown/render';

describe('renderMarkdown', () => {
  it('draws GitHub-style markdown', () => {
    const html = renderMarkdown('**bold** _it_ `code`\n\n- a\n- b');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<li>a</li>');
  });

  it('highlights code blocks of known languages and escapes the others', () => {
    const rust = renderMarkdown('```rust\nfn main() {}\n```');
    expect(rust).toContain('class="hljs-keyword"');
    expect(rust).toContain('data-lang="rust"');
    const plain = renderMarkdown('```\n<b>x</b>\n```');
    expect(plain).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(plain).not.toContain('<b>x</b>');
  });

  it('marks mentions, the reader’s own and @channel stronger', () => {
    const html = renderMarkdown('hi @alice and @bob, @channel', { username: 'alice' });
    expect(html).toMatch(/<span class="mention mention--self" data-mention="alice">@alice<\/span>/);
    expect(html).toMatch(/<span class="mention" data-mention="bob">@bob<\/span>/);
    expect(html).toMatch(/mention--self" data-mention="channel"/);
    expect(renderMarkdown('mail me at a@alice.com')).not.toContain('class="mention');
  });

  it('links ~channels inside the team', () => {
    const html = renderMarkdown('see ~town-square', { teamName: 'my-team' });
    expect(html).toContain('href="/my-team/channels/town-square"');
    expect(html).toContain('class="channel-link"');
  });

  it('turns shortcodes into glyphs but not inside code', () => {
    expect(renderMarkdown(':tada: done')).toContain('🎉');
    expect(renderMarkdown('`:tada:`')).toContain(':tada:');
    expect(renderMarkdown(':not_an_emoji_name:')).toContain(':not_an_emoji_name:');
  });

  it('sanitizes what the message carries', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(1)</script>');
    expect(html).not.toContain('onerror');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<script');
  });

  it('opens links in a new tab without an opener', () => {
    const html = renderMarkdown('[site](https://example.com)');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  it('renders inline text without paragraphs', () => {
    expect(renderInline('a *b*')).toBe('a <em>b</em>');
  });
});

describe('emoji', () => {
  it('knows Mattermost’s common names', () => {
    expect(emojiGlyph('+1')).toBe('👍');
    expect(emojiGlyph('thumbsup')).toBe('👍');
    expect(emojiGlyph('white_check_mark')).toBe('✅');
    expect(emojiGlyph('nope-nope')).toBeUndefined();
  });

  it('searches by prefix and replaces in text', () => {
    expect(searchEmoji('thumbs')).toContain('thumbsup');
    expect(replaceShortcodes('ok :smile:')).toBe('ok 😄');
  });
});
