package storekit

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"manyi/survey"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
	"manyi/survey/secret"
)

// FrameNames returns the names a frame may use for the districts ds
// (each code and its Chinese and English names), for
// sampling.FrameOptions.Districts, and the map from each to its code.
func FrameNames(ds []survey.District) ([]string, map[string]string) {
	var known []string
	canon := make(map[string]string)
	for _, d := range ds {
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
	return known, canon
}

// StartFrame begins a frame import inside the caller's write transaction
// (which on PostgreSQL holds the measurement's row lock): ECONFLICT once a
// sample is drawn, otherwise the earlier frame and its sector lists are
// removed and an incomplete frame recorded, which FinishFrame completes.
func StartFrame(ctx context.Context, d *Dialect, tx Querier, measurementID, source string, rejected int, by string, now time.Time) error {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM samples WHERE measurement_id = ?`, measurementID).Scan(&n); err != nil {
		return d.Errorf("import frame: %w", err)
	}
	if n > 0 {
		return survey.Errorf(survey.ECONFLICT, "测评 %s 已经抽样，不能再替换抽样框", "a sample has been drawn for measurement %s; its frame can no longer be replaced", measurementID)
	}
	if _, err := d.Exec(ctx, tx, `DELETE FROM frames WHERE measurement_id = ?`, measurementID); err != nil {
		return d.Errorf("import frame: %w", err)
	}
	if _, err := d.Exec(ctx, tx, `DELETE FROM sector_lists WHERE measurement_id = ?`, measurementID); err != nil {
		return d.Errorf("import frame: %w", err)
	}
	_, err := d.Exec(ctx, tx, `INSERT INTO frames (measurement_id, source, units, rejected, contacts, complete, imported_at, imported_by)
		VALUES (?, ?, 0, ?, 0, ?, ?, ?)`, measurementID, source, rejected, false, d.TimeArg(now), by)
	if err != nil {
		return d.Errorf("import frame: %w", err)
	}
	return nil
}

// AbortFrame removes an import that did not finish (its units go with
// it), so the next import starts clean; without a frame the measurement
// has no sector lists either.
func AbortFrame(ctx context.Context, d *Dialect, tx Querier, measurementID string) error {
	if _, err := d.Exec(ctx, tx, `DELETE FROM frames WHERE measurement_id = ? AND NOT complete`, measurementID); err != nil {
		return err
	}
	_, err := d.Exec(ctx, tx, `DELETE FROM sector_lists WHERE measurement_id = ?
		AND NOT EXISTS (SELECT 1 FROM frames WHERE measurement_id = ?)`, measurementID, measurementID)
	return err
}

// FinishFrame marks a whole-frame import complete with its counts and
// records lists (WholeFrameLists) as the measurement's sector lists (the
// caller names the failure).
func FinishFrame(ctx context.Context, d *Dialect, tx Querier, measurementID string, units, contacts int, lists []fieldwork.SectorList) error {
	if _, err := d.Exec(ctx, tx, `UPDATE frames SET units = ?, contacts = ?, complete = ? WHERE measurement_id = ?`, units, contacts, true, measurementID); err != nil {
		return err
	}
	for _, l := range lists {
		_, err := d.Exec(ctx, tx, `INSERT INTO sector_lists (measurement_id, sector, source, units, rejected, contacts, imported_at, imported_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, measurementID, l.Sector, l.Source, l.Units, l.Rejected, l.Contacts, d.TimeArg(l.ImportedAt), l.ImportedBy)
		if err != nil {
			return err
		}
	}
	return nil
}

// WholeFrameLists returns the sector lists a whole-frame import records:
// one per sector present among secs (secs[i] the sector of us[i], "" for
// none), ordered by sector code, with its units and contacts counted, the
// whole file as source and rejected 0 (the file's rejected rows are the
// frame's, not attributed to sectors). Nil for a frame without sectors,
// so a residents' import writes no rows.
func WholeFrameLists(us []sampling.Unit, secs []string, source, by string, now time.Time) []fieldwork.SectorList {
	idx := map[string]int{}
	var out []fieldwork.SectorList
	for i, sec := range secs {
		if sec == "" {
			continue
		}
		k, ok := idx[sec]
		if !ok {
			k = len(out)
			idx[sec] = k
			out = append(out, fieldwork.SectorList{Sector: sec, Source: source, ImportedAt: now, ImportedBy: by})
		}
		out[k].Units++
		if us[i].Contact != "" {
			out[k].Contacts++
		}
	}
	slices.SortFunc(out, func(a, b fieldwork.SectorList) int { return strings.Compare(a.Sector, b.Sector) })
	return out
}

// sealWorkers is how many goroutines seal contacts: AES-GCM with a fresh
// nonce costs about a microsecond per number, a second per million on one
// core; the machine has two.
const sealWorkers = 2

// SealContacts seals the contact of every unit that has one into
// sealed[i] ("" for a unit without one), in sealWorkers interleaved
// stripes.
func SealContacts(d *Dialect, us []sampling.Unit, sealed []string, key *secret.Key) error {
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
					errs[w] = d.Errorf("seal contact of frame row %d: %w", us[i].Row, err)
					return
				}
				sealed[i] = s
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// DuplicateUnit names the first row of part whose id repeats one before
// it (sampling.ReadFrame rejects duplicates, so this is a caller's bug or
// a hand-built frame).
func DuplicateUnit(part []sampling.Unit) error {
	seen := map[string]bool{}
	for _, u := range part {
		if seen[u.ID] {
			return survey.Errorf(survey.EINVALID, "抽样框第 %d 行：编号“%s”重复", "frame row %d: duplicate id %q", u.Row, u.ID)
		}
		seen[u.ID] = true
	}
	return survey.Errorf(survey.EINVALID, "抽样框中有重复的编号（可能与另一行业名单中的编号相同）", "the frame has a duplicate id (perhaps one another sector's list already has)")
}

// FrameSummary returns the summary of the measurement's imported frame
// (ENOTFOUND when there is none, or its import did not finish).
func FrameSummary(ctx context.Context, d *Dialect, q Querier, measurementID string) (*fieldwork.FrameSummary, error) {
	var s fieldwork.FrameSummary
	err := d.QueryRow(ctx, q, `SELECT measurement_id, source, units, rejected, contacts, imported_at, imported_by, contacts_purged_at, contacts_purged_by
		FROM frames WHERE measurement_id = ? AND complete`, measurementID).Scan(&s.MeasurementID, &s.Source, &s.Units, &s.Rejected, &s.Contacts,
		d.TimeDest(&s.ImportedAt), &s.ImportedBy, d.NullTimeDest(&s.PurgedAt), &s.PurgedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, survey.Errorf(survey.ENOTFOUND, "测评 %s 尚未导入抽样框", "measurement %s has no frame yet", measurementID)
	}
	if err != nil {
		return nil, d.Errorf("frame: %w", err)
	}
	return &s, nil
}

// CaseContact opens the sealed contact of a case's unit, "" when it has
// none (never imported, or purged).
func CaseContact(ctx context.Context, d *Dialect, q Querier, key *secret.Key, caseID int64) (string, error) {
	var sealed string
	err := d.QueryRow(ctx, q, `SELECT fc.sealed FROM cases c
		JOIN frame_contacts fc ON fc.measurement_id = c.measurement_id AND fc.unit_id = c.unit_id
		WHERE c.id = ?`, caseID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", d.Errorf("contact of case %d: %w", caseID, err)
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

// UnitSectors checks the units' sectors against measurement m and returns
// each unit's sector code: one of a service measurement's sectors (or ""
// for a service frame without sectors); always "" for a residents'
// measurement, whose frame has no sectors (sampling.ReadFrame ignores the
// column there, and a hand-built frame's sectors are dropped the same way).
func UnitSectors(f *sampling.Frame, m *survey.Measurement) ([]string, error) {
	out := make([]string, len(f.Units))
	if !m.IsService() {
		return out, nil
	}
	for i := range f.Units {
		u := &f.Units[i]
		if u.Sector != "" && m.Sector(u.Sector) == nil {
			return nil, survey.Errorf(survey.EINVALID, "抽样框第 %d 行：行业“%s”不是本测评的行业", "frame row %d: sector %q is not one of the measurement's sectors", u.Row, u.Sector)
		}
		out[i] = u.Sector
	}
	return out, nil
}

// CheckSectorList checks that one sector's list may be imported for m: m
// is a service measurement, sector is one of its sectors, and every unit
// of f is of that sector.
func CheckSectorList(m *survey.Measurement, sector string, f *sampling.Frame) error {
	if !m.IsService() {
		return survey.Errorf(survey.EINVALID, "测评 %s 是居民测评，没有行业名单", "measurement %s is a residents' measurement; it has no sector lists", m.ID)
	}
	if m.Sector(sector) == nil {
		return survey.Errorf(survey.EINVALID, "行业“%s”不是本测评的行业", "sector %q is not one of the measurement's sectors", sector)
	}
	for i := range f.Units {
		if u := &f.Units[i]; u.Sector != sector {
			return survey.Errorf(survey.EINVALID, "抽样框第 %d 行：行业“%s”不是本名单的行业“%s”", "frame row %d: sector %q is not this list's sector %q", u.Row, u.Sector, sector)
		}
	}
	return nil
}

// SectorIDClash names the first unit of a sector's list whose id another
// sector's list of the measurement already has, by its row and that
// sector; nil when none does. Call it inside the import's transaction.
func SectorIDClash(ctx context.Context, d *Dialect, tx Querier, measurementID, sector string, units []sampling.Unit) error {
	rows, err := d.Query(ctx, tx, `SELECT unit_id, sector FROM frame_units WHERE measurement_id = ? AND sector <> ?`, measurementID, sector)
	if err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	defer rows.Close()
	other := map[string]string{}
	for rows.Next() {
		var id, sec string
		if err := rows.Scan(&id, &sec); err != nil {
			return d.Errorf("import sector list: %w", err)
		}
		other[id] = sec
	}
	if err := rows.Err(); err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	for _, u := range units {
		if sec, ok := other[u.ID]; ok {
			return survey.Errorf(survey.EINVALID, "名单第 %d 行：编号“%s”已在行业“%s”的名单中，每个顾客在抽样框中只能出现一次", "list row %d: id %q is already in sector %q's list; a customer may be in the frame only once", u.Row, u.ID, sec)
		}
	}
	return nil
}

// StartSectorFrame begins the import of one sector's list inside the
// caller's write transaction, which also stores the units and calls
// FinishSectorFrame: ECONFLICT once a sample is drawn (as StartFrame);
// otherwise an unfinished whole-frame import is dropped, the sector's
// earlier units go (their contacts by the foreign key) and other sectors'
// units stay. The frame row records this upload's source, rejects and
// time; FinishSectorFrame records them as the sector's list.
func StartSectorFrame(ctx context.Context, d *Dialect, tx Querier, measurementID, sector, source string, rejected int, by string, now time.Time) error {
	var n int
	if err := d.QueryRow(ctx, tx, `SELECT count(*) FROM samples WHERE measurement_id = ?`, measurementID).Scan(&n); err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	if n > 0 {
		return survey.Errorf(survey.ECONFLICT, "测评 %s 已经抽样，不能再替换抽样框", "a sample has been drawn for measurement %s; its frame can no longer be replaced", measurementID)
	}
	if err := AbortFrame(ctx, d, tx, measurementID); err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	res, err := d.Exec(ctx, tx, `UPDATE frames SET source = ?, rejected = ?, imported_at = ?, imported_by = ? WHERE measurement_id = ?`,
		source, rejected, d.TimeArg(now), by, measurementID)
	if err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return err
	} else if k == 0 {
		_, err := d.Exec(ctx, tx, `INSERT INTO frames (measurement_id, source, units, rejected, contacts, complete, imported_at, imported_by)
			VALUES (?, ?, 0, ?, 0, ?, ?, ?)`, measurementID, source, rejected, false, d.TimeArg(now), by)
		if err != nil {
			return d.Errorf("import sector list: %w", err)
		}
		return nil
	}
	if _, err := d.Exec(ctx, tx, `DELETE FROM frame_units WHERE measurement_id = ? AND sector = ?`, measurementID, sector); err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	return nil
}

// FinishSectorFrame recounts the frame's units and contacts (all sectors),
// marks it complete and records the sector's list: its source, rejected
// rows, time and importer, and its units and contacts counted after the
// insert (an earlier list of the sector is replaced).
func FinishSectorFrame(ctx context.Context, d *Dialect, tx Querier, measurementID, sector, source string, rejected int, by string, now time.Time) error {
	_, err := d.Exec(ctx, tx, `UPDATE frames SET
		units = (SELECT count(*) FROM frame_units WHERE measurement_id = ?),
		contacts = (SELECT count(*) FROM frame_contacts WHERE measurement_id = ?),
		complete = ? WHERE measurement_id = ?`, measurementID, measurementID, true, measurementID)
	if err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	_, err = d.Exec(ctx, tx, `INSERT INTO sector_lists (measurement_id, sector, source, units, rejected, contacts, imported_at, imported_by)
		VALUES (?, ?, ?,
			(SELECT count(*) FROM frame_units WHERE measurement_id = ? AND sector = ?),
			?,
			(SELECT count(*) FROM frame_contacts c JOIN frame_units u ON u.measurement_id = c.measurement_id AND u.unit_id = c.unit_id
				WHERE u.measurement_id = ? AND u.sector = ?),
			?, ?)
		ON CONFLICT (measurement_id, sector) DO UPDATE SET source = excluded.source, units = excluded.units, rejected = excluded.rejected,
			contacts = excluded.contacts, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
		measurementID, sector, source, measurementID, sector, rejected, measurementID, sector, d.TimeArg(now), by)
	if err != nil {
		return d.Errorf("import sector list: %w", err)
	}
	return nil
}

// PurgeSectorLists records a contacts purge in the measurement's sector
// lists (contacts 0), inside the purge's transaction.
func PurgeSectorLists(ctx context.Context, d *Dialect, tx Querier, measurementID string) error {
	if _, err := d.Exec(ctx, tx, `UPDATE sector_lists SET contacts = 0 WHERE measurement_id = ?`, measurementID); err != nil {
		return d.Errorf("purge contacts: %w", err)
	}
	return nil
}

// FrameCells returns the stored frame's units per sector × district.
func FrameCells(ctx context.Context, d *Dialect, q Querier, measurementID string) ([]fieldwork.FrameCell, error) {
	rows, err := d.Query(ctx, q, `SELECT u.sector, u.district, count(*) FROM frame_units u
		JOIN frames f ON f.measurement_id = u.measurement_id AND f.complete
		WHERE u.measurement_id = ? GROUP BY u.sector, u.district ORDER BY u.sector, u.district`, measurementID)
	return ScanAll(d, "frame cells", rows, err, func(sc Scanner) (fieldwork.FrameCell, error) {
		var c fieldwork.FrameCell
		err := sc.Scan(&c.Sector, &c.District, &c.Units)
		return c, err
	})
}

// SectorLists returns where each sector's list of the stored frame came
// from, ordered by sector code (none while an import is unfinished).
func SectorLists(ctx context.Context, d *Dialect, q Querier, measurementID string) ([]fieldwork.SectorList, error) {
	rows, err := d.Query(ctx, q, `SELECT s.sector, s.source, s.units, s.rejected, s.contacts, s.imported_at, s.imported_by FROM sector_lists s
		JOIN frames f ON f.measurement_id = s.measurement_id AND f.complete
		WHERE s.measurement_id = ? ORDER BY s.sector`, measurementID)
	return ScanAll(d, "sector lists", rows, err, func(sc Scanner) (fieldwork.SectorList, error) {
		var l fieldwork.SectorList
		err := sc.Scan(&l.Sector, &l.Source, &l.Units, &l.Rejected, &l.Contacts, d.TimeDest(&l.ImportedAt), &l.ImportedBy)
		return l, err
	})
}
