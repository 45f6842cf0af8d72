package main

import "testing"

func TestReadGCSettings(t *testing.T) {
	cases := []struct {
		env     map[string]string
		want    gcSettings
		wantErr bool
	}{
		{env: nil, want: gcSettings{memoryLimit: defaultMemoryLimit}},
		{env: map[string]string{"GF_PLUGIN_GOGC": "400"}, want: gcSettings{percent: 400, memoryLimit: defaultMemoryLimit}},
		{env: map[string]string{"GOMEMLIMIT": "off"}, want: gcSettings{}},
		{env: map[string]string{"GF_PLUGIN_GOGC": "off", "GF_PLUGIN_MEMORY_LIMIT": "256MiB"}, want: gcSettings{percent: -1, memoryLimit: 256 << 20}},
		{env: map[string]string{"GF_PLUGIN_MEMORY_LIMIT": "1.5GiB"}, want: gcSettings{memoryLimit: 3 << 29}},
		{env: map[string]string{"GF_PLUGIN_MEMORY_LIMIT": "1048576"}, want: gcSettings{memoryLimit: 1 << 20}},
		// The Go runtime's own variables win.
		{env: map[string]string{"GF_PLUGIN_GOGC": "400", "GOGC": "50", "GF_PLUGIN_MEMORY_LIMIT": "1GiB", "GOMEMLIMIT": "2GiB"}, want: gcSettings{}},
		{env: map[string]string{"GF_PLUGIN_GOGC": "0"}, wantErr: true},
		{env: map[string]string{"GF_PLUGIN_GOGC": "fast"}, wantErr: true},
		{env: map[string]string{"GF_PLUGIN_MEMORY_LIMIT": "lots"}, wantErr: true},
		{env: map[string]string{"GF_PLUGIN_MEMORY_LIMIT": "-5MiB"}, wantErr: true},
		{env: map[string]string{"GF_PLUGIN_MEMORY_LIMIT": "64MB"}, wantErr: true}, // MB is not GOMEMLIMIT syntax
	}
	for _, c := range cases {
		got, err := readGCSettings(func(k string) string { return c.env[k] })
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("%v: got %+v, %v; want %+v, error %v", c.env, got, err, c.want, c.wantErr)
		}
	}
}
