/**
 * How sure `init` is of what it detected: `sure` when a known shape was recognised and the second page
 * confirmed it, `likely` when either holds, `guess` when neither does (check the file before trusting it).
 */
export type Sureness = 'sure' | 'likely' | 'guess';
