package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"manyi/survey/fieldwork"
	"manyi/survey/internal/storekit"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// DB keeps the fieldwork state for the web pages.
var _ fieldwork.Store = (*DB)(nil)

// frameChunk is how many frame units one write transaction stores. Each
// commit waits for the disk (synchronous=FULL), so small chunks made the
// import mostly fsync: 5,000 units per chunk took 20–30 s for a million.
// 50,000 units take a few tenths of a second, short enough that residents'
// page saves queued behind a chunk barely notice, and a million-unit frame
// needs only 20 commits (docs/PERFORMANCE.md).
const frameChunk = 50000

// FrameDistricts returns the names a frame may use for the measurement's
// districts (each code and its Chinese and English names), for
// sampling.FrameOptions.Districts, and the map from each to its code.
func (db *DB) FrameDistricts(ctx context.Context, measurementID string) ([]string, map[string]string, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, nil, err
	}
	known, canon := storekit.FrameNames(m.Districts)
	return known, canon, nil
}

// ImportFrame stores f as the measurement's sampling frame, replacing an
// earlier frame as long as no sample has been drawn from it (ECONFLICT
// otherwise). Districts may be given as codes or names and are stored as
// codes; a unit whose district is not the measurement's is EINVALID naming
// its row. Contacts are sealed with key before they reach the database; key
// may be nil only when no unit has a contact. rejected is the number of
// rows left out of f at import, recorded for the fieldwork report.
//
// A frame of up to frameChunk units is written in one transaction, so a
// failed import leaves the earlier frame as it was. A larger frame is
// written in chunks of frameChunk units, each its own short transaction
// (so residents' page saves are not held up for the whole import): it
// counts as imported only once the last chunk is in (frames.complete), and
// a failed import removes what it wrote, but the earlier frame it replaced
// is gone by then.
func (db *DB) ImportFrame(ctx context.Context, measurementID string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*fieldwork.FrameSummary, error) {
	_, canon, err := db.FrameDistricts(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	// The units are written straight from f (no copy of a million rows):
	// codes holds each unit's district code, and contacts are sealed
	// chunk by chunk, so only one chunk's sealed values are ever held.
	units := f.Units
	codes, contacts, err := storekit.FrameCodes(f, canon, key)
	if err != nil {
		return nil, err
	}
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	secs, err := storekit.UnitSectors(f, m)
	if err != nil {
		return nil, err
	}

	now := db.now()
	lists := storekit.WholeFrameLists(units, secs, source, by, now)
	fail := func(err error) (*fieldwork.FrameSummary, error) {
		// Leave nothing half imported behind; the next import starts clean.
		db.write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
			return storekit.AbortFrame(bg, dialect, tx, measurementID)
		})
		return nil, err
	}
	// The first chunk's transaction starts the import (dropping the
	// earlier frame) and the last one's finishes it, so a frame of one
	// chunk is one transaction and its failure leaves the earlier frame
	// as it was; after a later chunk fails, what was written goes.
	sealed := make([]string, min(frameChunk, len(units)))
	for start := 0; start == 0 || start < len(units); start += frameChunk {
		end := min(start+frameChunk, len(units))
		first, last := start == 0, end == len(units)
		us, cs, ss, sc := units[start:end], codes[start:end], sealed[:end-start], secs[start:end]
		// Sealing happens before the write is queued, so the writer (and
		// every resident's page save behind it) never waits for AES.
		if contacts > 0 {
			if err := sealContacts(us, ss, key); err != nil {
				if first {
					return nil, err
				}
				return fail(err)
			}
		}
		err := db.write(ctx, func(tx *sql.Tx) error {
			if first {
				if err := storekit.StartFrame(bg, dialect, tx, measurementID, source, rejected, by, now); err != nil {
					return err
				}
			}
			if len(us) > 0 {
				if err := insertUnits(tx, measurementID, us, cs, sc, ss); err != nil {
					return err
				}
			}
			if last {
				return storekit.FinishFrame(bg, dialect, tx, measurementID, len(units), contacts, lists)
			}
			return nil
		})
		if err != nil {
			if first {
				return nil, err
			}
			return fail(err)
		}
		fieldwork.ReportProgress(ctx, end, len(units))
	}
	return db.Frame(ctx, measurementID)
}

// ImportSectorFrame stores f as one sector's customer list of a service
// measurement: that sector's earlier units and contacts are replaced and
// the other sectors' units stay, all in one write transaction (a sector's
// list is far smaller than a city's residents' frame, and a failed upload
// must leave the other sectors as they were). ECONFLICT once a sample is
// drawn; EINVALID for a residents' measurement, a sector it does not have,
// a unit of another sector or district, or an id another sector's list
// already has.
func (db *DB) ImportSectorFrame(ctx context.Context, measurementID, sector string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*fieldwork.FrameSummary, error) {
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	if err := storekit.CheckSectorList(m, sector, f); err != nil {
		return nil, err
	}
	_, canon := storekit.FrameNames(m.Districts)
	codes, contacts, err := storekit.FrameCodes(f, canon, key)
	if err != nil {
		return nil, err
	}
	secs, err := storekit.UnitSectors(f, m)
	if err != nil {
		return nil, err
	}
	sealed := make([]string, len(f.Units))
	if contacts > 0 {
		if err := sealContacts(f.Units, sealed, key); err != nil {
			return nil, err
		}
	}
	now := db.now()
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := storekit.StartSectorFrame(bg, dialect, tx, measurementID, sector, source, rejected, by, now); err != nil {
			return err
		}
		if err := storekit.SectorIDClash(bg, dialect, tx, measurementID, sector, f.Units); err != nil {
			return err
		}
		if err := insertUnits(tx, measurementID, f.Units, codes, secs, sealed); err != nil {
			return err
		}
		return storekit.FinishSectorFrame(bg, dialect, tx, measurementID, sector, source, rejected, by, now)
	})
	if err != nil {
		return nil, err
	}
	return db.Frame(ctx, measurementID)
}

// FrameCells returns the stored frame's units per sector × district.
func (db *DB) FrameCells(ctx context.Context, measurementID string) ([]fieldwork.FrameCell, error) {
	return storekit.FrameCells(ctx, dialect, db.rdb, measurementID)
}

// SectorLists returns where each sector's list of the stored frame came
// from, ordered by sector code.
func (db *DB) SectorLists(ctx context.Context, measurementID string) ([]fieldwork.SectorList, error) {
	return storekit.SectorLists(ctx, dialect, db.rdb, measurementID)
}

// sealContacts seals the contact of every unit that has one into
// sealed[i] ("" for a unit without one).
func sealContacts(us []sampling.Unit, sealed []string, key *secret.Key) error {
	return storekit.SealContacts(dialect, us, sealed, key)
}

// unitsPerInsert is how many rows one INSERT statement carries: many rows
// per statement parse once, which more than halves the import time.
const unitsPerInsert = 500

// unitsInsert is the INSERT of n frame units, seven parameters per unit.
// Plain ? parameters: with numbered ones (?1 reused for the measurement)
// modernc's driver looks every parameter's name up in a list, which is
// quadratic and made the import four times slower.
func unitsInsert(n int) string {
	var b strings.Builder
	b.Grow(40 + n*32)
	b.WriteString(`INSERT INTO frame_units (measurement_id, unit_id, district, gender, age_band, row, sector) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

// contactsInsert is the INSERT of n sealed contacts, three parameters
// per contact.
func contactsInsert(n int) string {
	var b strings.Builder
	b.Grow(40 + n*16)
	b.WriteString(`INSERT INTO frame_contacts (measurement_id, unit_id, sealed) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
	}
	return b.String()
}

// insertUnits stores units of a frame (codes[i] the district code of
// us[i], secs[i] its sector code) and their sealed contacts (sealed[i], "" for none): full groups
// of unitsPerInsert through statements prepared once per call, the
// remainder through one statement of its own size. The argument slices
// are reused from group to group.
func insertUnits(tx *sql.Tx, measurementID string, us []sampling.Unit, codes, secs, sealed []string) error {
	var fullU, fullC *sql.Stmt
	defer func() {
		if fullU != nil {
			fullU.Close()
		}
		if fullC != nil {
			fullC.Close()
		}
	}()
	uargs := make([]any, 0, 7*unitsPerInsert)
	cargs := make([]any, 0, 3*unitsPerInsert)
	// Putting a string into an interface allocates; the measurement,
	// district codes, genders and age bands take a handful of values, so
	// each is boxed once (a million-unit import made nine allocations per
	// unit, now three: id, row and sealed contact).
	boxes := map[string]any{}
	box := func(v string) any {
		b, ok := boxes[v]
		if !ok {
			b = v
			boxes[v] = b
		}
		return b
	}
	mid := box(measurementID)
	flushContacts := func(final bool) error {
		n := len(cargs) / 3
		if n == 0 || (!final && n < unitsPerInsert) {
			return nil
		}
		var err error
		if n == unitsPerInsert {
			if fullC == nil {
				if fullC, err = tx.Prepare(contactsInsert(unitsPerInsert)); err != nil {
					return fmt.Errorf("sqlite: import frame contacts: %w", err)
				}
			}
			_, err = fullC.Exec(cargs...)
		} else {
			_, err = tx.Exec(contactsInsert(n), cargs...)
		}
		if err != nil {
			return fmt.Errorf("sqlite: import frame contacts: %w", err)
		}
		clear(cargs)
		cargs = cargs[:0]
		return nil
	}
	for start := 0; start < len(us); start += unitsPerInsert {
		end := min(start+unitsPerInsert, len(us))
		part := us[start:end]
		clear(uargs)
		uargs = uargs[:0]
		for i := range part {
			u := &part[i]
			uargs = append(uargs, mid, u.ID, box(codes[start+i]), box(u.Gender), box(u.AgeBand), u.Row, box(secs[start+i]))
		}
		var err error
		if len(part) == unitsPerInsert {
			if fullU == nil {
				if fullU, err = tx.Prepare(unitsInsert(unitsPerInsert)); err != nil {
					return fmt.Errorf("sqlite: import frame: %w", err)
				}
			}
			_, err = fullU.Exec(uargs...)
		} else {
			_, err = tx.Exec(unitsInsert(len(part)), uargs...)
		}
		if err != nil {
			if isConstraint(err) {
				return duplicateUnit(part)
			}
			return fmt.Errorf("sqlite: import frame rows %d–%d: %w", part[0].Row, part[len(part)-1].Row, err)
		}
		// Contacts go in after their units (the foreign key), in full
		// groups wherever possible.
		for i := range part {
			if sv := sealed[start+i]; sv != "" {
				cargs = append(cargs, mid, uargs[7*i+1], sv)
				if err := flushContacts(false); err != nil {
					return err
				}
			}
		}
	}
	return flushContacts(true)
}

func duplicateUnit(part []sampling.Unit) error { return storekit.DuplicateUnit(part) }

// Frame returns the summary of the measurement's imported frame
// (ENOTFOUND when there is none, or its import did not finish).
func (db *DB) Frame(ctx context.Context, measurementID string) (*fieldwork.FrameSummary, error) {
	return storekit.FrameSummary(ctx, dialect, db.rdb, measurementID)
}

// LoadFrame reads the measurement's frame back for sampling.Draw: units in
// file order, districts as codes, contacts left out (drawing never needs
// them). Districts lists every district code of the measurement.
func (db *DB) LoadFrame(ctx context.Context, measurementID string) (*sampling.Frame, error) {
	sum, err := db.Frame(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	m, err := db.Measurement(ctx, measurementID)
	if err != nil {
		return nil, err
	}
	f := &sampling.Frame{
		Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColGender, sampling.ColAgeBand, sampling.ColSector},
		Units:  make([]sampling.Unit, 0, sum.Units),
	}
	for _, d := range m.Districts {
		f.Districts = append(f.Districts, d.Code)
	}
	// Units are stored in file order, so rowid order is file order: the
	// table scan needs no sort of a million rows (ORDER BY row did, in a
	// temporary b-tree). NOT INDEXED keeps the planner off the
	// (measurement_id, unit_id) index, which would need that sort.
	rows, err := db.rdb.QueryContext(ctx, `SELECT unit_id, district, gender, age_band, row, sector FROM frame_units NOT INDEXED
		WHERE measurement_id = ? ORDER BY id`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: load frame: %w", err)
	}
	defer rows.Close()
	// District, gender and age band take a handful of values: one string
	// each instead of three allocations per unit.
	intern := map[string]string{}
	in := func(b sql.RawBytes) string {
		if s, ok := intern[string(b)]; ok {
			return s
		}
		s := string(b)
		intern[s] = s
		return s
	}
	var d, g, a, sec sql.RawBytes
	for rows.Next() {
		var u sampling.Unit
		if err := rows.Scan(&u.ID, &d, &g, &a, &u.Row, &sec); err != nil {
			return nil, fmt.Errorf("sqlite: load frame: %w", err)
		}
		u.District, u.Gender, u.AgeBand, u.Sector = in(d), in(g), in(a), in(sec)
		f.Units = append(f.Units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: load frame: %w", err)
	}
	return f, nil
}

// PurgeContacts deletes every contact detail of the measurement's frame
// and returns how many were deleted. Units, cases, dispositions and
// answers stay. The deleted rows are overwritten with zeros in the
// database file (secure_delete) and the write-ahead log is checkpointed, so
// the sealed values do not linger in free pages.
func (db *DB) PurgeContacts(ctx context.Context, measurementID, by string) (int, error) {
	if _, err := db.Frame(ctx, measurementID); err != nil {
		return 0, err
	}
	var n int
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("sqlite: purge contacts: %w", err)
		}
		defer tx.Exec(`PRAGMA secure_delete = OFF`)
		res, err := tx.Exec(`DELETE FROM frame_contacts WHERE measurement_id = ?`, measurementID)
		if err != nil {
			return fmt.Errorf("sqlite: purge contacts: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE frames SET contacts = 0, contacts_purged_at = ?, contacts_purged_by = ? WHERE measurement_id = ?`,
			fmtTime(db.now()), by, measurementID); err != nil {
			return fmt.Errorf("sqlite: purge contacts: %w", err)
		}
		if err := storekit.PurgeSectorLists(bg, dialect, tx, measurementID); err != nil {
			return err
		}
		n = int(k)
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Best effort: a reader holding an old snapshot can keep the WAL from
	// being truncated now; the next checkpoint overwrites it.
	db.wdb.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return n, nil
}

// caseContact opens the sealed contact of a case's unit, "" when it has
// none (never imported, or purged).
func caseContact(ctx context.Context, q querier, key *secret.Key, caseID int64) (string, error) {
	return storekit.CaseContact(ctx, dialect, q, key, caseID)
}

// inList renders n placeholders for an IN clause.
func inList(n int) string { return storekit.InList(n) }
