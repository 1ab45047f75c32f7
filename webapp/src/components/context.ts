// The event stream, for components that send on it (typing).

import { createContext, type MutableRefObject } from 'react';

import type { EventStream } from '../api/websocket';

export const EventStreamContext = createContext<MutableRefObject<EventStream | null>>({ current: null });
