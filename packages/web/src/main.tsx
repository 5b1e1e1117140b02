/** Entry of the browser bundle: mounts the shell. (The shell and its routes live in app.tsx.) */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/tokens.css';
import { SyncBadge } from './components/status-badges.tsx';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <SyncBadge status="Synced" />
    </StrictMode>,
  );
