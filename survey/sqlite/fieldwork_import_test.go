package sqlite

import (
	"testing"

	"manyi/survey/storetest"
)

// TestImportFrameChunks imports a frame longer than one chunk, whose
// last INSERT group is partial and where every third unit has no phone:
// every unit comes back in file order with its district code, every
// phone (and only those) is stored sealed under its own unit, and the
// writer connection gets its page cache size back.
func TestImportFrameChunks(t *testing.T) {
	db, _ := fwOpen(t)
	n := frameChunk + unitsPerInsert*2 + 17
	// Units at group and chunk edges, with and without a phone.
	storetest.CheckFrameChunks(t, db, db.rdb, n, []int{0, 1, unitsPerInsert - 1, unitsPerInsert, frameChunk - 1, frameChunk, n - 2, n - 1})
}
