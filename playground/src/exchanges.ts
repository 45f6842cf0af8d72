import { Exchange } from './backendSrv';

type Listener = (e: Exchange) => void;

/** The HTTP calls the frontend makes, for the explain view: listeners see the calls made while they listen. */
class ExchangeLog {
  private listeners = new Set<Listener>();

  record = (e: Exchange) => this.listeners.forEach((l) => l(e));

  listen(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export const exchanges = new ExchangeLog();
