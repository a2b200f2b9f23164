/**
 * The Electron IPC channel names, shared by the preload and main so they cannot drift apart:
 * one invoke channel per contract method, one push channel for training events, one for menu
 * actions. Pure: no
 * Electron import, so tests can check it in plain Node.
 */
import { API_METHODS, type ApiMethod } from '../shared/api';

export const CHANNEL_PREFIX = 'api:';
export const TRAINING_EVENT_CHANNEL = 'api:training-event';
/** Main to renderer: the name of a menu action (shared/menu-actions.ts) to perform. */
export const MENU_ACTION_CHANNEL = 'saccade:menu';

export function channelOf(method: ApiMethod): string {
  return `${CHANNEL_PREFIX}${method}`;
}

/** Every invoke channel, one per API method, in API_METHODS order. */
export function apiChannels(): { method: ApiMethod; channel: string }[] {
  return API_METHODS.map((method) => ({ method, channel: channelOf(method) }));
}
