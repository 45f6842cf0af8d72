package transform

import "github.com/relay-gateway/relay/pkg/transform/internal/gjsonpath"

// CheckPath reports whether a caller-supplied gjson path can be evaluated
// within bounds: only the modifiers @this, @reverse, @flatten, @keys, @values,
// @valid, @ugly and @join, without arguments, and multipaths that repeat the
// data at most 64 times. The error is a *ValidationError without a Path;
// callers set the field's name (e.g. "pagination.cursorPath").
func CheckPath(path string) error {
	if _, err := pathFanout(path); err != nil {
		return err
	}
	return nil
}

// checkPathAt is CheckPath with the error located at field.
func checkPathAt(field, path string) *ValidationError {
	_, err := pathFanout(path)
	if err != nil {
		err.Path = field
	}
	return err
}

// pathFanout is gjsonpath.Fanout with a *ValidationError.
func pathFanout(path string) (int, *ValidationError) {
	n, err := gjsonpath.Fanout(path)
	if err != nil {
		return 0, &ValidationError{Message: err.Error()}
	}
	return n, nil
}
