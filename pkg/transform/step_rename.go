package transform

import (
	"maps"
	"slices"
)

// RenameStep renames one field (From → To) or several at once (Map, applied
// simultaneously, so {"a":"b","b":"a"} swaps).
type RenameStep struct {
	From string            `json:"from,omitempty"`
	To   string            `json:"to,omitempty"`
	Map  map[string]string `json:"map,omitempty"`
}

func init() {
	registerStep(&stepKind{typ: StepRename, order: 30,
		fields: []StepField{
			{Name: "from", Type: "string", Description: "field to rename (with to)"},
			{Name: "to", Type: "string", Description: "its new name"},
			{Name: "map", Type: "object", Description: "several renames at once: {\"old\": \"new\", …} (instead of from/to)"},
		},
		decode: func(o jsonObject, path string) (Step, *ValidationError) {
			var s RenameStep
			var err *ValidationError
			if s.From, err = o.str("from"); err != nil {
				return nil, err
			}
			if s.To, err = o.str("to"); err != nil {
				return nil, err
			}
			if r, ok := o.get("map"); ok {
				m, err := objectAt(r, path+".map")
				if err != nil {
					return nil, err
				}
				s.Map = make(map[string]string, len(m.fields))
				for _, k := range m.keys() {
					if s.Map[k], err = m.str(k); err != nil {
						return nil, err
					}
				}
			}
			return &s, nil
		}})
}

func (s *RenameStep) StepType() string { return StepRename }

func (s *RenameStep) MarshalJSON() ([]byte, error) {
	type plain RenameStep
	return marshalStep(StepRename, (*plain)(s))
}

func (s *RenameStep) validate(path string) *ValidationError {
	if len(s.Map) > 0 {
		if s.From != "" || s.To != "" {
			return verr(path+".map", "use either map or from/to, not both")
		}
		targets := map[string]string{}
		for _, from := range slices.Sorted(maps.Keys(s.Map)) {
			to := s.Map[from]
			if err := checkName(path+".map."+from, to); err != nil {
				return err
			}
			if other, dup := targets[to]; dup {
				return verr(path+".map."+from, "%q and %q are both renamed to %q", other, from, to)
			}
			targets[to] = from
		}
		return nil
	}
	if s.From == "" {
		return verr(path+".from", "required (or use map)")
	}
	return checkName(path+".to", s.To)
}

// renames returns the renames as from → to, with the JSON path of each.
func (s *RenameStep) renames(path string) (pairs [][2]string, paths []string) {
	if len(s.Map) == 0 {
		return [][2]string{{s.From, s.To}}, []string{path + ".from"}
	}
	for _, from := range slices.Sorted(maps.Keys(s.Map)) {
		pairs = append(pairs, [2]string{from, s.Map[from]})
		paths = append(paths, path+".map."+from)
	}
	return pairs, paths
}

// plan applies the renames simultaneously and rejects results with two
// fields of the same name.
func (s *RenameStep) plan(in []field, path string) (stepRun, []field, *ValidationError) {
	pairs, paths := s.renames(path)
	out := append([]field(nil), in...)
	for k, pr := range pairs {
		j := schemaIndex(in, pr[0])
		if j < 0 {
			return nil, nil, unknownField(paths[k], pr[0], in)
		}
		out[j].name = pr[1]
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.name] {
			p := path + ".to"
			if len(s.Map) > 0 {
				for k, pr := range pairs {
					if pr[1] == f.name {
						p = paths[k]
					}
				}
			}
			return nil, nil, verr(p, "a field named %q already exists", f.name)
		}
		seen[f.name] = true
	}
	return &renameRun{step: s, path: path}, out, nil
}

type renameRun struct {
	step *RenameStep
	path string
}

func (r *renameRun) run(_ *runState, t *table) error {
	pairs, paths := r.step.renames(r.path)
	targets := make([]*column, len(pairs))
	for k, pr := range pairs {
		if targets[k] = t.col(pr[0]); targets[k] == nil {
			return pipelineError(unknownField(paths[k], pr[0], t.schema()))
		}
	}
	for k, c := range targets { // simultaneous: resolve all sources before renaming any
		c.name = pairs[k][1]
	}
	return nil
}
