import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Built into the Flask package; served at /editor/ (ivr_designer/editor/spa.py).
export default defineConfig({
  plugins: [react()],
  base: "/editor/",
  build: {
    outDir: "../ivr_designer/static/editor",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:5000" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
