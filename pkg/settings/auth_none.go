package settings

// AuthNone sends no credentials.
const AuthNone = "none"

func init() { registerAuthKind(&authKind{name: AuthNone, order: 0}) }
