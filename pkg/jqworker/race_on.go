//go:build race

package jqworker

// raceDataFactor: the race detector maps shadow memory for the heap, which
// RLIMIT_DATA counts; a race-built worker gets room for it.
const raceDataFactor = 4
