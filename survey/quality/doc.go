// Package quality computes the data-quality flags of completed responses:
// speeders, straight-lining, duplicate answer vectors and junk open text.
// The functions are pure, over small structs, so the store can run them on
// every completed response and the statistician can review what they flag;
// a flag never excludes a response by itself. The rules are written out in
// docs/FIELDWORK.md.
package quality
