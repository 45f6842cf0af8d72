package role

import (
	"encoding/json"
	"testing"
)

func TestParseAndOrder(t *testing.T) {
	cases := map[string]Role{"Viewer": Viewer, "editor": Editor, " ADMIN ": Admin, "None": None, "": None}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := Parse("GrafanaAdmin"); err == nil {
		t.Error("GrafanaAdmin must not parse as an org role")
	}
	if FromGrafana("superuser") != None {
		t.Error("unknown Grafana role must map to None")
	}
	if !Admin.AtLeast(Editor) || Viewer.AtLeast(Editor) || !None.AtLeast(None) {
		t.Error("role ordering broken")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var r Role
	if err := json.Unmarshal([]byte(`"Editor"`), &r); err != nil || r != Editor {
		t.Fatalf("got %v %v", r, err)
	}
	b, _ := json.Marshal(Admin)
	if string(b) != `"Admin"` {
		t.Fatalf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`"root"`), &r); err == nil {
		t.Fatal("want error for unknown role")
	}
}
