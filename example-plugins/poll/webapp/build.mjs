// Bundle src/ into dist/main.js, the file plugin.json's `webapp.bundle_path` names.
//
// Mattermost's externals convention: the bundle does not ship React; `import React from
// 'react'` reads `window.React`, which the web client provides (Mattermost plugins do
// the same with webpack's `externals: {react: 'React'}`). One React in the page keeps
// hooks and context working across the client and its plugins.

import * as esbuild from 'esbuild';

const GLOBALS = { react: 'React', 'react-dom': 'ReactDOM', 'react-redux': 'ReactRedux' };

/** Resolve the shared libraries to the client's globals instead of node_modules. */
const pageGlobals = {
  name: 'page-globals',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(GLOBALS).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'page-global' }));
    build.onLoad({ filter: /.*/, namespace: 'page-global' }, (args) => ({
      contents: `module.exports = window.${GLOBALS[args.path]};`,
      loader: 'js',
    }));
  },
};

await esbuild.build({
  entryPoints: ['src/index.jsx'],
  outfile: 'dist/main.js',
  bundle: true,
  format: 'iife',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  // Classic JSX: calls `React.createElement`, so only `react` is imported.
  jsx: 'transform',
  jsxFactory: 'React.createElement',
  jsxFragment: 'React.Fragment',
  plugins: [pageGlobals],
  logLevel: 'warning',
});
