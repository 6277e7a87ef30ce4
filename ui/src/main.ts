import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { HttpTransport } from './lib/transport/http';
import type { Shell, Transport } from './lib/transport/types';

// In the desktop window the UI talks to the main process over Tauri IPC
// (loaded only there); in a browser, HTTP to `concord serve`.
async function start() {
  let transport: Transport = new HttpTransport();
  let shell: Shell | null = null;
  if ('__TAURI_INTERNALS__' in window) {
    const ipc = await import('./lib/transport/ipc');
    transport = new ipc.IpcTransport();
    shell = new ipc.TauriShell();
  }
  mount(App, { target: document.getElementById('app')!, props: { transport, shell } });
}

void start();
