package jqworker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"

	"github.com/relay-gateway/relay/pkg/transform"
)

// serveWorker is a worker process's life: set the limits, say hello, run
// one job after the other until stdin closes. Anything fatal (stack, memory,
// CPU) ends the process, which is the point: the pool reports it.
func serveWorker() int {
	memory, _ := strconv.ParseInt(os.Getenv(envMemory), 10, 64)
	stack, _ := strconv.ParseInt(os.Getenv(envStack), 10, 64)
	if memory <= 0 || stack <= 0 {
		fmt.Fprintln(os.Stderr, "jq worker: started without its limits")
		return 2
	}
	// The limits come first, before any work is read.
	debug.SetMaxStack(int(stack))
	debug.SetMemoryLimit(memory)
	applied := applyHardLimits(memory)

	// Only frames go to the protocol's stdout; anything else that writes to
	// os.Stdout lands on stderr.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	os.Stdout = os.Stderr
	in := bufio.NewReaderSize(os.Stdin, 64<<10)

	startMapped := mappedTotal()
	if writeJSONFrame(out, hello{Protocol: protocolVersion, Limits: applied}) != nil || out.Flush() != nil {
		return 1
	}
	for {
		var req request
		if err := readJSONFrame(in, maxHeaderBytes, &req); err != nil {
			return 0 // stdin closed: the pool retired this worker (or the plugin is gone)
		}
		input, err := readFrame(in, maxInputBytes)
		if err != nil {
			return 0
		}
		req.Job.Input = input
		setJobCPU(req.CPUSeconds)
		rows, err := transform.RunJQJob(context.Background(), &req.Job)
		var resp response
		if err != nil {
			resp.Error, rows = transform.AsError(err), nil
		}
		resp.Retire = mappedTotal() > startMapped+uint64(memory)/2
		req.Job.Input, input = nil, nil
		if writeJSONFrame(out, resp) != nil || writeFrame(out, rows) != nil || out.Flush() != nil {
			return 1
		}
		rows = nil
		// A program that grew the heap leaves it mapped; give it back
		// while the worker waits, so idle workers stay small.
		if mapped() > 32<<20 {
			debug.FreeOSMemory()
		}
	}
}

// mappedTotal is all the memory the Go runtime has mapped, released or not
// (what the memory limits count).
func mappedTotal() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// mapped is the memory the Go runtime holds from the OS and has not released.
func mapped() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}
