#!/usr/bin/env node
// The built CLI (npm install runs the build). Top-level await keeps the exit code of the command.
await import('../dist/bin.js');
