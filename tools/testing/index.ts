// Test support shared by every project's specs. Not a pack: production code never imports it.
export {};
