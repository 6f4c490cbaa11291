package postgres

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

var (
	_ fieldwork.Store         = (*DB)(nil)
	_ fieldwork.SetupStore    = (*DB)(nil)
	_ fieldwork.OpenLinkStore = (*DB)(nil)
)

// frameChunk is how many frame units one transaction stores: a
// million-unit frame is 20 short transactions, so residents' writes are
// never held behind one long one.
const frameChunk = 50000

// FrameDistricts returns the names a frame may use for the measurement's
// districts (each code and its Chinese and English names) and the map from
// each to its code.
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
// otherwise); see survey/sqlite's ImportFrame for the rules. A frame of
// one chunk is one transaction; a larger one counts as imported only once
// its last chunk is in (frames.complete), and a failed import removes what
// it wrote.
func (db *DB) ImportFrame(ctx context.Context, measurementID string, f *sampling.Frame, rejected int, key *secret.Key, source, by string) (*fieldwork.FrameSummary, error) {
	_, canon, err := db.FrameDistricts(ctx, measurementID)
	if err != nil {
		return nil, err
	}
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
		actx := context.WithoutCancel(ctx)
		db.write(actx, func(tx *sql.Tx) error {
			return storekit.AbortFrame(actx, dialect, tx, measurementID)
		})
		return nil, err
	}
	// As in survey/sqlite: the first chunk's transaction starts the import
	// and the last one's finishes it, so a frame of one chunk is one
	// transaction.
	sealed := make([]string, min(frameChunk, len(units)))
	for start := 0; start == 0 || start < len(units); start += frameChunk {
		end := min(start+frameChunk, len(units))
		first, last := start == 0, end == len(units)
		us, cs, ss, sc := units[start:end], codes[start:end], sealed[:end-start], secs[start:end]
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
				// The measurement's row lock serialises imports and draws
				// of one measurement across servers.
				if _, err := tx.ExecContext(ctx, `SELECT 1 FROM measurements WHERE id = $1 FOR UPDATE`, measurementID); err != nil {
					return fmt.Errorf("postgres: import frame: %w", err)
				}
				if err := storekit.StartFrame(ctx, dialect, tx, measurementID, source, rejected, by, now); err != nil {
					return err
				}
			}
			if len(us) > 0 {
				if err := insertUnits(ctx, tx, measurementID, us, cs, sc, ss); err != nil {
					return err
				}
			}
			if last {
				return storekit.FinishFrame(ctx, dialect, tx, measurementID, len(units), contacts, lists)
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
// measurement in one transaction, replacing only that sector's units and
// contacts; see survey/sqlite's ImportSectorFrame for the rules.
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
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM measurements WHERE id = $1 FOR UPDATE`, measurementID); err != nil {
			return fmt.Errorf("postgres: import sector list: %w", err)
		}
		if err := storekit.StartSectorFrame(ctx, dialect, tx, measurementID, sector, source, rejected, by, now); err != nil {
			return err
		}
		if err := storekit.SectorIDClash(ctx, dialect, tx, measurementID, sector, f.Units); err != nil {
			return err
		}
		if err := insertUnits(ctx, tx, measurementID, f.Units, codes, secs, sealed); err != nil {
			return err
		}
		return storekit.FinishSectorFrame(ctx, dialect, tx, measurementID, sector, source, rejected, by, now)
	})
	if err != nil {
		return nil, err
	}
	return db.Frame(ctx, measurementID)
}

// FrameCells returns the stored frame's units per sector × district.
func (db *DB) FrameCells(ctx context.Context, measurementID string) ([]fieldwork.FrameCell, error) {
	return storekit.FrameCells(ctx, dialect, db.db, measurementID)
}

// SectorLists returns where each sector's list of the stored frame came
// from, ordered by sector code.
func (db *DB) SectorLists(ctx context.Context, measurementID string) ([]fieldwork.SectorList, error) {
	return storekit.SectorLists(ctx, dialect, db.db, measurementID)
}

// sealContacts seals the contact of every unit that has one into
// sealed[i] ("" for a unit without one).
func sealContacts(us []sampling.Unit, sealed []string, key *secret.Key) error {
	return storekit.SealContacts(dialect, us, sealed, key)
}

// insertUnits stores units of a frame and their sealed contacts through
// PostgreSQL's unnest of arrays: one statement per table and chunk, the
// rows passed as six (three) array parameters.
func insertUnits(ctx context.Context, tx *sql.Tx, measurementID string, us []sampling.Unit, codes, secs, sealed []string) error {
	ids := make([]string, len(us))
	genders := make([]string, len(us))
	ages := make([]string, len(us))
	rows := make([]int64, len(us))
	var cids, cvals []string
	for i := range us {
		ids[i], genders[i], ages[i], rows[i] = us[i].ID, us[i].Gender, us[i].AgeBand, int64(us[i].Row)
		if sealed[i] != "" {
			cids = append(cids, us[i].ID)
			cvals = append(cvals, sealed[i])
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO frame_units (measurement_id, unit_id, district, gender, age_band, row, sector)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])`,
		measurementID, ids, codes, genders, ages, rows, secs)
	if isConstraint(err) {
		return duplicateUnit(us)
	}
	if err != nil {
		return fmt.Errorf("postgres: import frame rows %d–%d: %w", us[0].Row, us[len(us)-1].Row, err)
	}
	if len(cids) > 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO frame_contacts (measurement_id, unit_id, sealed)
			SELECT $1, * FROM unnest($2::text[], $3::text[])`, measurementID, cids, cvals)
		if err != nil {
			return fmt.Errorf("postgres: import frame contacts: %w", err)
		}
	}
	return nil
}

func duplicateUnit(part []sampling.Unit) error { return storekit.DuplicateUnit(part) }

// Frame returns the summary of the measurement's imported frame
// (ENOTFOUND when there is none, or its import did not finish).
func (db *DB) Frame(ctx context.Context, measurementID string) (*fieldwork.FrameSummary, error) {
	return frameSummary(ctx, db.db, measurementID)
}

func frameSummary(ctx context.Context, q querier, measurementID string) (*fieldwork.FrameSummary, error) {
	return storekit.FrameSummary(ctx, dialect, q, measurementID)
}

// LoadFrame reads the measurement's frame back for sampling.Draw: units in
// file order, districts as codes, contacts left out.
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
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id, district, gender, age_band, row, sector FROM frame_units
		WHERE measurement_id = $1 ORDER BY id`, measurementID)
	if err != nil {
		return nil, fmt.Errorf("postgres: load frame: %w", err)
	}
	defer rows.Close()
	intern := map[string]string{}
	in := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		intern[s] = s
		return s
	}
	for rows.Next() {
		var u sampling.Unit
		var d, g, a, sec string
		if err := rows.Scan(&u.ID, &d, &g, &a, &u.Row, &sec); err != nil {
			return nil, fmt.Errorf("postgres: load frame: %w", err)
		}
		u.District, u.Gender, u.AgeBand, u.Sector = in(d), in(g), in(a), in(sec)
		f.Units = append(f.Units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: load frame: %w", err)
	}
	return f, nil
}

// PurgeContacts deletes every contact detail of the measurement's frame
// and returns how many were deleted. Units, cases, dispositions and
// answers stay. (PostgreSQL reclaims the dead rows at its next vacuum.)
func (db *DB) PurgeContacts(ctx context.Context, measurementID, by string) (int, error) {
	if _, err := db.Frame(ctx, measurementID); err != nil {
		return 0, err
	}
	var n int
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM frame_contacts WHERE measurement_id = $1`, measurementID)
		if err != nil {
			return fmt.Errorf("postgres: purge contacts: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE frames SET contacts = 0, contacts_purged_at = $1, contacts_purged_by = $2 WHERE measurement_id = $3`,
			db.now(), by, measurementID); err != nil {
			return fmt.Errorf("postgres: purge contacts: %w", err)
		}
		if err := storekit.PurgeSectorLists(ctx, dialect, tx, measurementID); err != nil {
			return err
		}
		n = int(k)
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Best effort, outside the transaction: drop the dead tuples now.
	db.db.ExecContext(ctx, `VACUUM frame_contacts`)
	return n, nil
}

// caseContact opens the sealed contact of a case's unit, "" when it has
// none (never imported, or purged).
func caseContact(ctx context.Context, q querier, key *secret.Key, caseID int64) (string, error) {
	return storekit.CaseContact(ctx, dialect, q, key, caseID)
}

// params renders $from, $from+1, … for n values.
func params(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
