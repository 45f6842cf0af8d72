package settings

// AuthForwardOAuth sends the signed-in user's own OAuth tokens (Grafana's
// "Forward OAuth Identity"): credentials per user, so answers are too.
const AuthForwardOAuth = "forwardOAuth"

func init() { registerAuthKind(&authKind{name: AuthForwardOAuth, order: 50, perUser: true}) }
