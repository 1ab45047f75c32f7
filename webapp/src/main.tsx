// Entry point: the store, the plugin seam, the event stream and the routes.

import * as ReactNamespace from 'react';
import * as ReactDOMNamespace from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactReduxNamespace from 'react-redux';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router-dom';

import { App } from './components/App';
import { installPluginGlobal } from './plugins/registry';
import { makeStore } from './store/index';
import './styles/base.css';
import './styles/layout.css';
import './styles/messages.css';
import './styles/overlays.css';
import './styles/console.css';

const store = makeStore();
installPluginGlobal(store);

// Mattermost webapp plugins take React from the page rather than bundling their own.
Object.assign(window, { React: ReactNamespace, ReactDOM: ReactDOMNamespace, ReactRedux: ReactReduxNamespace, store });

createRoot(document.getElementById('root')!).render(
  <Provider store={store}>
    <BrowserRouter>
      <App store={store} />
    </BrowserRouter>
  </Provider>,
);
