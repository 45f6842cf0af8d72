//go:build !linux

package cpuset

import (
	"errors"
	"os"
)

var errUnsupported = errors.New("cpuset: CPU affinity is only set on Linux")

func self() int { return os.Getpid() }

func allowed() ([]int, error) { return nil, errUnsupported }
func pin(int, []int) error    { return errUnsupported }
