package transform

import (
	"sync"
	"time"
	_ "time/tzdata" // the zone database is embedded: hosts without /usr/share/zoneinfo still know Europe/Paris
)

// zones caches loaded locations: LoadLocation reads and parses the database
// on every call.
var zones sync.Map // name → *time.Location

func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}
