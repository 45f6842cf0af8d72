package main

import (
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
)

// supervisor keeps the plugin running as Grafana does: Grafana checks its
// plugin processes every second and starts one that exited again (a crash, an
// OOM kill), so a plugin's instances and in-memory state are rebuilt from
// scratch. Calls in between get 503 "Plugin unavailable".
type supervisor struct {
	opts     pluginOptions
	interval time.Duration // 0: never restart
	logger   hclog.Logger

	current atomic.Pointer[pluginProcess]
	stop    chan struct{}
	done    chan struct{}
}

func startSupervised(opts pluginOptions, interval time.Duration) (*supervisor, error) {
	p, err := startPlugin(opts)
	if err != nil {
		return nil, err
	}
	s := &supervisor{opts: opts, interval: interval, logger: opts.logger, stop: make(chan struct{}), done: make(chan struct{})}
	s.current.Store(p)
	if interval > 0 {
		go s.watch()
	} else {
		close(s.done)
	}
	return s, nil
}

// plugin is the process calls go to now.
func (s *supervisor) plugin() *pluginProcess { return s.current.Load() }

func (s *supervisor) watch() {
	defer close(s.done)
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		old := s.current.Load()
		if !old.exited() {
			continue
		}
		s.logger.Warn("plugin process exited; restarting it", "pid", old.pid)
		p, err := startPlugin(s.opts)
		if err != nil {
			s.logger.Error("restarting the plugin failed; retrying", "error", err)
			continue
		}
		old.kill() // releases go-plugin's connection to the dead process
		s.current.Store(p)
		s.logger.Info("plugin restarted", "pid", p.pid)
	}
}

// kill stops watching, then stops the current process.
func (s *supervisor) kill() {
	if s.interval > 0 {
		close(s.stop)
	}
	<-s.done
	s.current.Load().kill()
}
