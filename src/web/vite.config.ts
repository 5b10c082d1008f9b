import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The UI lives in src/web and builds into dist/web at the repository root,
// which the Fastify server serves. `npm run dev` serves the API on port 3000;
// `vite --config src/web/vite.config.ts` proxies to it while developing the UI.
export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  resolve: {
    alias: {
      // src/domain/email.ts uses Node's domainToASCII; the browser gets a shim.
      "node:url": fileURLToPath(
        new URL("./shims/node-url.ts", import.meta.url),
      ),
    },
  },
  build: {
    outDir: fileURLToPath(new URL("../../dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:3000",
      "/auth": "http://127.0.0.1:3000",
    },
  },
});
