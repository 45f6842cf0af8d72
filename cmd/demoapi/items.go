package main

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// item is one catalogue entry. Its fields cover the JSON types the transformation pipeline must handle: integers,
// floats, booleans, timestamps, string arrays (sometimes empty), a nested object and a nullable number.
type item struct {
	ID         int        `json:"id"`
	Name       string     `json:"name"`
	Category   string     `json:"category"`
	Price      float64    `json:"price"`
	InStock    bool       `json:"in_stock"`
	CreatedAt  time.Time  `json:"created_at"`
	Tags       []string   `json:"tags"`
	Dimensions dimensions `json:"dimensions"`
	Rating     *float64   `json:"rating"`
}

type dimensions struct {
	W float64 `json:"w"`
	H float64 `json:"h"`
}

const (
	seedItemCount = 250
	// maxItems bounds the in-memory store against runaway POST loops.
	maxItems = 10000
)

var (
	itemCategories = []string{"books", "electronics", "garden", "kitchen", "toys"}
	itemAdjectives = []string{"Red", "Blue", "Green", "Small", "Large", "Smart", "Classic", "Portable", "Deluxe", "Eco"}
	itemNouns      = []string{"Lamp", "Chair", "Kettle", "Drone", "Notebook", "Shovel", "Puzzle", "Speaker", "Backpack",
		"Clock", "Planter", "Robot", "Blender"}
	itemTags   = []string{"new", "sale", "popular", "limited", "eco", "gift"}
	itemsEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

// seedItem computes item id (1-based) from its index alone, so any test can know the exact expected value.
// Every tenth item (id divisible by 10) has a null rating; every fourth has no tags.
func seedItem(id int) item {
	i := id - 1
	tags := make([]string, i%4)
	for k := range tags {
		tags[k] = itemTags[(i+2*k)%len(itemTags)] // distinct for k < 3
	}
	var rating *float64
	if id%10 != 0 {
		r := float64(10+(i*13)%41) / 10 // 1.0 .. 5.0
		rating = &r
	}
	return item{
		ID:         id,
		Name:       fmt.Sprintf("%s %s %03d", itemAdjectives[i%len(itemAdjectives)], itemNouns[i%len(itemNouns)], id),
		Category:   itemCategories[i%len(itemCategories)],
		Price:      float64(499+(i*7919)%20000) / 100, // 4.99 .. 204.98, two decimals
		InStock:    i%4 != 3,
		CreatedAt:  itemsEpoch.Add(time.Duration(i)*6*time.Hour + time.Duration((i*17)%60)*time.Minute),
		Tags:       tags,
		Dimensions: dimensions{W: float64(100+(i*37)%900) / 10, H: float64(50+(i*53)%600) / 10},
		Rating:     rating,
	}
}

var errItemNotFound = errors.New("item not found")

// itemStore is the mutable catalogue. Items are treated as immutable values: updates replace an item (with fresh
// Tags and Rating), never modify one in place, so list can hand out shallow copies without holding the lock.
type itemStore struct {
	mu     sync.RWMutex
	items  map[int]item
	nextID int
}

func newItemStore() *itemStore {
	s := &itemStore{}
	s.reset()
	return s
}

// reset restores the 250 seeded items, so a test that mutates the catalogue can leave it as it found it.
func (s *itemStore) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = make(map[int]item, seedItemCount)
	for id := 1; id <= seedItemCount; id++ {
		s.items[id] = seedItem(id)
	}
	s.nextID = seedItemCount + 1
}

// list returns the items sorted by id, optionally only one category; never nil, so JSON shows [].
func (s *itemStore) list(category string) []item {
	s.mu.RLock()
	out := make([]item, 0, len(s.items))
	for _, it := range s.items {
		if category == "" || it.Category == category {
			out = append(out, it)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b item) int { return a.ID - b.ID })
	return out
}

func (s *itemStore) get(id int) (item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[id]
	return it, ok
}

var errStoreFull = errors.New("item store is full")

func (s *itemStore) create(it item) (item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= maxItems {
		return item{}, errStoreFull
	}
	it.ID = s.nextID
	s.nextID++
	s.items[it.ID] = it
	return it, nil
}

// update replaces item id with change(old); change runs under the lock so concurrent PATCHes do not lose updates.
func (s *itemStore) update(id int, change func(old item) (item, error)) (item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[id]
	if !ok {
		return item{}, errItemNotFound
	}
	it, err := change(old)
	if err != nil {
		return item{}, err
	}
	it.ID, it.CreatedAt = old.ID, old.CreatedAt // server-assigned, read-only
	s.items[id] = it
	return it, nil
}

func (s *itemStore) delete(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[id]
	delete(s.items, id)
	return ok
}
