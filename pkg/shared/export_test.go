package shared

// OpenWithCallTimeout is Open with another bound per call, for the tests of
// what the shared state does rather than of how a call fails: on a loaded
// machine a call can exceed the 200 ms production keeps (CallTimeout), the
// feature's answer then never arrives and the test fails for the load.
var OpenWithCallTimeout = openWith
