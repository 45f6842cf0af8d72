package target

import "testing"

func TestMissesAreNamed(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{AtLeast(0.91, 0.85, "%.2f ×"), "0.91 × (target ≥ 0.85)"},
		{AtLeast(0.85, 0.85, "%.2f ×"), "0.85 × (target ≥ 0.85)"},
		{AtLeast(0.84, 0.85, "%.2f ×"), "0.84 × (target ≥ 0.85)  BELOW TARGET"},
		{AtMost(0.42, 0.5, "%.3f ms"), "0.420 ms (target ≤ 0.5)"},
		{AtMost(0.51, 0.5, "%.3f ms"), "0.510 ms (target ≤ 0.5)  ABOVE TARGET"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
