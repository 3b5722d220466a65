// Test helpers: peer launchers, fixtures, snapshot assertions.
