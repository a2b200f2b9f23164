/// <reference types="svelte" />
/// <reference types="vite/client" />
/// <reference path="../../src-preload/api.d.ts" />
