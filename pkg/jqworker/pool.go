package jqworker

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/relay-gateway/relay/pkg/transform"
)

// Pool runs jq jobs in worker processes: at most Config.Workers at once,
// each on a warm worker when one is idle. It is a transform.JQRunner.
type Pool struct {
	cfg   Config
	slots chan struct{} // one per job running: bounds concurrency
	idle  chan *worker  // warm workers, at most Workers

	mu     sync.Mutex
	procs  int            // live worker processes: idle, busy or starting
	owners map[string]int // jobs running or waiting for a worker, per caller
	closed bool

	broken error // the pool cannot start workers at all (see Shared)

	starts, deaths, retired atomic.Int64
	startNanos              atomic.Int64 // total time of successful starts
}

var _ transform.JQRunner = (*Pool)(nil)

// NewPool makes a pool; workers start on first use.
func NewPool(cfg Config) (*Pool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Pool{cfg: cfg, slots: make(chan struct{}, cfg.Workers), idle: make(chan *worker, cfg.Workers),
		owners: map[string]int{}}, nil
}

// Share is how many workers one caller may hold at once: half of them
// (at least one), so one caller's programs, however many and however
// costly, leave workers to everybody else.
func (p *Pool) Share() int { return max(1, p.cfg.Workers/2) }

// ForCaller is r with r's workers shared fairly: when r is a Pool, the
// jobs run for key (a caller's identity) hold at most Share workers at
// once; others wait for their turn until their deadline.
func ForCaller(r transform.JQRunner, key string) transform.JQRunner {
	if p, ok := r.(*Pool); ok {
		return &callerRunner{pool: p, key: key}
	}
	return r
}

type callerRunner struct {
	pool *Pool
	key  string
}

func (c *callerRunner) RunJQ(ctx context.Context, job *transform.JQJob) ([]byte, error) {
	release, err := c.pool.takeShare(ctx, c.key)
	if err != nil {
		return nil, err
	}
	defer release()
	return c.pool.RunJQ(ctx, job)
}

// takeShare waits until key holds fewer than Share workers, then counts
// one more for it.
func (p *Pool) takeShare(ctx context.Context, key string) (release func(), err error) {
	for {
		p.mu.Lock()
		if p.owners[key] < p.Share() {
			p.owners[key]++
			p.mu.Unlock()
			return func() {
				p.mu.Lock()
				if p.owners[key]--; p.owners[key] <= 0 {
					delete(p.owners, key)
				}
				p.mu.Unlock()
			}, nil
		}
		p.mu.Unlock()
		timer := time.NewTimer(10 * time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// RunJQ runs job on a worker: it waits for a free worker until ctx's
// deadline, and the worker is killed at that deadline. A worker that dies
// (stack, memory, CPU) answers a *transform.JQLimitError and is replaced.
func (p *Pool) RunJQ(ctx context.Context, job *transform.JQJob) ([]byte, error) {
	if p.broken != nil {
		return nil, p.broken
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	w, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	// In the worker, the heap watchdog stops a growing program cleanly
	// (expression_too_costly) before the hard cap kills the worker.
	j := *job
	if budget := uint64(p.cfg.MemoryBytes) * 3 / 4; j.MaxHeapBytes == 0 || j.MaxHeapBytes > budget {
		j.MaxHeapBytes = budget
	}
	out, err, healthy := w.run(ctx, &j, cpuSeconds(ctx))
	if healthy && w.retire {
		p.retired.Add(1)
		go func() { // its process counts until it has exited
			w.stop()
			p.lost()
		}()
		return out, err
	}
	if healthy {
		p.put(w)
		return out, err
	}
	p.deaths.Add(1)
	if reason := err.Error(); ctx.Err() == nil {
		p.cfg.Logger.Warn("jq worker died; the call gets a 422 and a new worker starts", "path", job.Path, "reason", reason)
	}
	p.lost()
	return nil, err
}

// cpuSeconds is the CPU backstop of a job: its deadline, rounded up, plus one.
func cpuSeconds(ctx context.Context) int64 {
	d, ok := ctx.Deadline()
	if !ok {
		return 300
	}
	return int64(math.Ceil(time.Until(d).Seconds())) + 1
}

// get takes an idle worker, starts one if fewer than Workers live, or
// waits for one being started in the background (looking again now and
// then, in case that start failed).
func (p *Pool) get(ctx context.Context) (*worker, error) {
	for {
		select {
		case w := <-p.idle:
			return w, nil
		default:
		}
		if p.reserve() {
			w, err := p.start(ctx)
			if err != nil {
				p.release()
				return nil, err
			}
			return w, nil
		}
		if p.isClosed() {
			return nil, errClosed
		}
		timer := time.NewTimer(50 * time.Millisecond)
		select {
		case w := <-p.idle:
			timer.Stop()
			return w, nil
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Pool) start(ctx context.Context) (*worker, error) {
	t0 := time.Now()
	w, err := startWorker(ctx, &p.cfg)
	if err != nil {
		if ctx.Err() == nil {
			p.cfg.Logger.Error("jq worker did not start", "error", err.Error())
		}
		return nil, err
	}
	p.starts.Add(1)
	p.startNanos.Add(int64(time.Since(t0)))
	return w, nil
}

// reserve counts a process about to start, if there is room for one.
func (p *Pool) reserve() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.procs >= p.cfg.Workers {
		return false
	}
	p.procs++
	return true
}

func (p *Pool) release() {
	p.mu.Lock()
	p.procs--
	p.mu.Unlock()
}

// put makes a worker idle again (or stops it once the pool is closed).
func (p *Pool) put(w *worker) {
	if p.isClosed() {
		w.stop()
		p.release()
		return
	}
	p.idle <- w // never blocks: at most Workers processes live
}

// lost accounts for a dead (or retired) worker and starts its replacement in the
// background, so the next call finds a warm worker.
func (p *Pool) lost() {
	p.release()
	if !p.reserve() {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.cfg.StartTimeout)
		defer cancel()
		w, err := p.start(ctx)
		if err != nil {
			p.release()
			return
		}
		p.put(w)
	}()
}

// Close stops the idle workers; busy ones stop when their job ends.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case w := <-p.idle:
			w.stop()
			p.release()
		default:
			return
		}
	}
}

// Stats are the pool's counters.
type Stats struct {
	Live      int           // worker processes now
	Starts    int64         // workers started
	Deaths    int64         // workers that died or were killed during a job
	Retired   int64         // workers replaced after a costly program (their memory given back)
	MeanStart time.Duration // mean time from exec to a worker's hello
}

func (p *Pool) Stats() Stats {
	p.mu.Lock()
	live := p.procs
	p.mu.Unlock()
	s := Stats{Live: live, Starts: p.starts.Load(), Deaths: p.deaths.Load(), Retired: p.retired.Load()}
	if s.Starts > 0 {
		s.MeanStart = time.Duration(p.startNanos.Load() / s.Starts)
	}
	return s
}
