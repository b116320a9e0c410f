// renderer/ — entry of the console page.
import './leafletFlags';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'leaflet/dist/leaflet.css';
import './styles.css';
import './stats.css';
import './admin.css';
import './settings.css';
import { App } from './components/App';
import { applyTheme, storedTheme } from './components/theme';

applyTheme(storedTheme());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
