// Entry point: the store, the plugin seam, the event stream and the routes.

import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router-dom';

import { App } from './components/App';
import { exposePluginLibraries } from './plugins/globals';
import { startPluginLoader } from './plugins/loader';
import { makeStore } from './store/index';
import './styles/base.css';
import './styles/layout.css';
import './styles/messages.css';
import './styles/overlays.css';
import './styles/console.css';

const store = makeStore();
// Before any bundle runs: plugins take React and friends from `window`.
exposePluginLibraries(store);
startPluginLoader(store);

createRoot(document.getElementById('root')!).render(
  <Provider store={store}>
    <BrowserRouter>
      <App store={store} />
    </BrowserRouter>
  </Provider>,
);
