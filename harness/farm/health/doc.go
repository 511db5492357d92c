// Package health keeps a bench fit for firmware runs: a health run
// (preflight, a reset, one short echo and blink) marks a bench that fails
// it unhealthy, on the bench itself with the reason, and a firmware run on
// a bench so marked is refused until a health run passes.
package health
