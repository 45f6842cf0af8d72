package settings

// The closed lists the settings accept, in the order editors show them (auth
// kinds are a registry: auth_kinds.go). The frontend's copies (src/api/settings.gen.ts) are generated from these by pkg/plugin's TestFrontendSettings, so the two cannot drift.

// Rate classes: the keys of jsonData.rateLimits.classes. A route's class
// decides which per-user limiter a call is charged to; safe methods of a
// route without a class of its own are "read", the others "write".
const (
	RateClassRead      = "read"
	RateClassWrite     = "write"
	RateClassTransform = "transform"
	RateClassAction    = "action"
	RateClassQuery     = "query"
)

// RateClasses are every class a call can be charged to.
func RateClasses() []string {
	return []string{RateClassRead, RateClassWrite, RateClassTransform, RateClassAction, RateClassQuery}
}
