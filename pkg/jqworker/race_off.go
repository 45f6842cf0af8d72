//go:build !race

package jqworker

const raceDataFactor = 1
