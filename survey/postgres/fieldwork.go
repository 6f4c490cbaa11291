package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"manyi/survey"
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
	var known []string
	canon := make(map[string]string)
	for _, d := range m.Districts {
		for _, n := range []string{d.Code, d.Name.Zh, d.Name.En} {
			if n == "" {
				continue
			}
			if _, dup := canon[n]; !dup {
				canon[n] = d.Code
				known = append(known, n)
			}
		}
	}
	return known, canon, nil
}

// ImportFrame stores f as the measurement's sampling frame, replacing an
// earlier frame as long as no sample has been drawn from it (ECONFLICT
// otherwise); see survey/sqlite's ImportFrame for the rules. The frame
// counts as imported only once its last chunk is in (frames.complete), and
// a failed import removes what it wrote.
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
	now := db.now()
	err = db.write(ctx, func(tx *sql.Tx) error {
		// The measurement's row lock serialises imports and draws of
		// one measurement across servers.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM measurements WHERE id = $1 FOR UPDATE`, measurementID); err != nil {
			return fmt.Errorf("postgres: import frame: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM samples WHERE measurement_id = $1`, measurementID).Scan(&n); err != nil {
			return fmt.Errorf("postgres: import frame: %w", err)
		}
		if n > 0 {
			return survey.Errorf(survey.ECONFLICT, "测评 %s 已经抽样，不能再替换抽样框", "a sample has been drawn for measurement %s; its frame can no longer be replaced", measurementID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM frames WHERE measurement_id = $1`, measurementID); err != nil {
			return fmt.Errorf("postgres: import frame: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO frames (measurement_id, source, units, rejected, contacts, complete, imported_at, imported_by)
			VALUES ($1, $2, 0, $3, 0, false, $4, $5)`, measurementID, source, rejected, now, by)
		if err != nil {
			return fmt.Errorf("postgres: import frame: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*fieldwork.FrameSummary, error) {
		db.write(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM frames WHERE measurement_id = $1 AND NOT complete`, measurementID)
			return err
		})
		return nil, err
	}
	sealed := make([]string, min(frameChunk, len(units)))
	for start := 0; start < len(units); start += frameChunk {
		end := min(start+frameChunk, len(units))
		us, cs, ss := units[start:end], codes[start:end], sealed[:end-start]
		if contacts > 0 {
			if err := sealContacts(us, ss, key); err != nil {
				return fail(err)
			}
		}
		err := db.write(ctx, func(tx *sql.Tx) error {
			return insertUnits(ctx, tx, measurementID, us, cs, ss)
		})
		if err != nil {
			return fail(err)
		}
		fieldwork.ReportProgress(ctx, end, len(units))
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE frames SET units = $1, contacts = $2, complete = true WHERE measurement_id = $3`, len(units), contacts, measurementID)
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("postgres: import frame: %w", err))
	}
	return db.Frame(ctx, measurementID)
}

// sealWorkers is how many goroutines seal contacts.
const sealWorkers = 2

// sealContacts seals the contact of every unit that has one into
// sealed[i] ("" for a unit without one).
func sealContacts(us []sampling.Unit, sealed []string, key *secret.Key) error {
	errs := make([]error, sealWorkers)
	var wg sync.WaitGroup
	for w := range sealWorkers {
		wg.Go(func() {
			for i := w; i < len(us); i += sealWorkers {
				if us[i].Contact == "" {
					sealed[i] = ""
					continue
				}
				s, err := key.Seal(us[i].Contact)
				if err != nil {
					errs[w] = fmt.Errorf("postgres: seal contact of frame row %d: %w", us[i].Row, err)
					return
				}
				sealed[i] = s
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// insertUnits stores units of a frame and their sealed contacts through
// PostgreSQL's unnest of arrays: one statement per table and chunk, the
// rows passed as six (three) array parameters.
func insertUnits(ctx context.Context, tx *sql.Tx, measurementID string, us []sampling.Unit, codes, sealed []string) error {
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
	_, err := tx.ExecContext(ctx, `INSERT INTO frame_units (measurement_id, unit_id, district, gender, age_band, row)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`,
		measurementID, ids, codes, genders, ages, rows)
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

// duplicateUnit names the first row of part whose id repeats one before it.
func duplicateUnit(part []sampling.Unit) error {
	seen := map[string]bool{}
	for _, u := range part {
		if seen[u.ID] {
			return survey.Errorf(survey.EINVALID, "抽样框第 %d 行：编号“%s”重复", "frame row %d: duplicate id %q", u.Row, u.ID)
		}
		seen[u.ID] = true
	}
	return survey.Errorf(survey.EINVALID, "抽样框中有重复的编号", "the frame has a duplicate id")
}

// Frame returns the summary of the measurement's imported frame
// (ENOTFOUND when there is none, or its import did not finish).
func (db *DB) Frame(ctx context.Context, measurementID string) (*fieldwork.FrameSummary, error) {
	return frameSummary(ctx, db.db, measurementID)
}

func frameSummary(ctx context.Context, q querier, measurementID string) (*fieldwork.FrameSummary, error) {
	var s fieldwork.FrameSummary
	var purged sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT measurement_id, source, units, rejected, contacts, imported_at, imported_by, contacts_purged_at, contacts_purged_by
		FROM frames WHERE measurement_id = $1 AND complete`, measurementID).Scan(&s.MeasurementID, &s.Source, &s.Units, &s.Rejected, &s.Contacts,
		&s.ImportedAt, &s.ImportedBy, &purged, &s.PurgedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未导入抽样框", "measurement %s has no frame yet", measurementID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: frame: %w", err)
	}
	s.ImportedAt = utc(s.ImportedAt)
	s.PurgedAt = utcPtr(purged)
	return &s, nil
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
		Header: []string{sampling.ColID, sampling.ColDistrict, sampling.ColGender, sampling.ColAgeBand},
		Units:  make([]sampling.Unit, 0, sum.Units),
	}
	for _, d := range m.Districts {
		f.Districts = append(f.Districts, d.Code)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT unit_id, district, gender, age_band, row FROM frame_units
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
		var d, g, a string
		if err := rows.Scan(&u.ID, &d, &g, &a, &u.Row); err != nil {
			return nil, fmt.Errorf("postgres: load frame: %w", err)
		}
		u.District, u.Gender, u.AgeBand = in(d), in(g), in(a)
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
	var sealed string
	err := q.QueryRowContext(ctx, `SELECT fc.sealed FROM cases c
		JOIN frame_contacts fc ON fc.measurement_id = c.measurement_id AND fc.unit_id = c.unit_id
		WHERE c.id = $1`, caseID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: contact of case %d: %w", caseID, err)
	}
	if key == nil {
		return "", survey.Errorf(survey.EINVALID, "未设置联系方式密钥 %s，无法显示电话号码", "%s is not set, so phone numbers cannot be shown", secret.EnvKey)
	}
	c, err := key.Open(sealed)
	if err != nil {
		return "", survey.Errorf(survey.EINVALID, "无法解密联系方式：密钥 %s 与导入时的不同", "cannot open the contact details: %s is not the key they were sealed with", secret.EnvKey)
	}
	return c, nil
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
