// Svelte 5 runes everywhere; TypeScript in <script lang="ts"> needs no preprocessor (types are stripped).
export default {
  compilerOptions: { runes: true },
};
