package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

// frameJobStarted, when set (tests), runs at the start of each frame
// upload's reading job.
var frameJobStarted func()

// maxUpload is the largest frame file accepted: 50 MB holds a frame of
// about a million rows.
const maxUpload = 50 << 20

// Phases of a frame job.
const (
	phaseReading   = "reading"   // the upload is being read and checked
	phaseRead      = "read"      // staged: the preview waits for the user
	phaseImporting = "importing" // the clean rows are being stored
	phaseImported  = "imported"
	phaseFailed    = "failed"
)

// Jobs are kept in the store (fieldwork.JobStore), not in this process:
// behind several servers on one PostgreSQL database the office's "Import
// clean rows" may reach another server than the upload did, and every
// server shows the same progress. The uploaded file and what was found in
// it are sealed with the contact key (they hold phone numbers).
const (
	// jobForget is how long a job is kept after its last change: a staged
	// upload nobody imported, a finished link file nobody fetched.
	jobForget = 24 * time.Hour
	// jobStale is how long a running job may go without progress before
	// the page calls it lost (its server stopped).
	jobStale = 10 * time.Minute
	// progressEvery bounds how often a running job writes its progress.
	progressEvery = 250 * time.Millisecond
)

// frameMeta is what reading a frame upload found, kept sealed in the job.
type frameMeta struct {
	Header  []string
	RowErrs []sampling.RowError
	Info    sampling.FrameFileInfo
	Counts  fieldwork.FrameCounts
	Preview []stagedUnit
	Summary *fieldwork.FrameSummary
	// Sector is the sector whose customer list the upload is ("" for a
	// whole frame), chosen on the form and kept for the import.
	Sector string `json:",omitempty"`
}

// stagedUnit is one of the first clean rows, as the preview shows it
// (the phone number already masked).
type stagedUnit struct {
	Row                           int
	ID, District, Gender, AgeBand string
	Tel                           string
}

// officeJobs runs the office's jobs in the background of this server.
type officeJobs struct {
	wait sync.WaitGroup // running jobs (tests wait for them)
}

func newFrameJobs() *officeJobs { return &officeJobs{} }

// jobProgress writes a job's progress to the store at most every
// progressEvery; the final figure is written by the job's UpdateJob.
type jobProgress struct {
	store fieldwork.JobStore
	id    string
	mu    sync.Mutex
	last  time.Time
}

func (p *jobProgress) set(done, total int64) {
	p.mu.Lock()
	now := time.Now()
	if now.Sub(p.last) < progressEvery {
		p.mu.Unlock()
		return
	}
	p.last = now
	p.mu.Unlock()
	p.store.SetJobProgress(context.Background(), p.id, done, total)
}

// countingReader reports how far a file has been read.
type countingReader struct {
	*bytes.Reader
	p     *jobProgress
	total int64
}

func (f *countingReader) Read(b []byte) (int, error) {
	n, err := f.Reader.Read(b)
	f.p.set(f.total-int64(f.Reader.Len()), f.total)
	return n, err
}

// sealJSON seals v's JSON with the contact key.
func (o *officePages) sealJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s, err := o.st.s.key.Seal(string(b))
	return []byte(s), err
}

// frameMetaOf opens a frame job's findings.
func (o *officePages) frameMetaOf(j *fieldwork.Job) (*frameMeta, error) {
	var fm frameMeta
	if len(j.Meta) == 0 {
		return &fm, nil
	}
	s, err := o.st.s.key.Open(string(j.Meta))
	if err != nil {
		return nil, err
	}
	return &fm, json.Unmarshal([]byte(s), &fm)
}

// running tells whether j is working and not lost.
func (o *officePages) running(j *fieldwork.Job) bool {
	return (j.Phase == phaseReading || j.Phase == phaseImporting || j.Phase == phaseIssuing) && o.st.s.now().Sub(j.Updated) < jobStale
}

// failJob records err as j's failure.
func (o *officePages) failJob(j *fieldwork.Job, err error) {
	if survey.ErrorCode(err) == survey.EINTERNAL || survey.ErrorCode(err) == "" {
		o.st.s.log.Error("office job failed", "measurement", j.MeasurementID, "kind", j.Kind, "err", err)
	}
	j.Phase, j.Input = phaseFailed, ""
	if _, ok := errorText(err, survey.LangZh); ok {
		j.ErrZh, j.ErrEn = survey.ErrorMessage(err, survey.LangZh), survey.ErrorMessage(err, survey.LangEn)
	} else {
		j.ErrZh, j.ErrEn = "处理失败，请重试", "the work failed; try again"
	}
	if uerr := o.store.UpdateJob(context.Background(), j); uerr != nil {
		o.st.s.log.Error("office job: record failure", "measurement", j.MeasurementID, "err", uerr)
	}
}

// frameView is the frame page's view of a job.
type frameView struct {
	ID, Source, Phase string
	Percent           int
	Size              string
	Format            string
	Err               string
	Counts            countTables
	Rejected          int
	Problems          []problemRow
	MoreProblems      int
	Preview           []previewRow
	Summary           *fieldwork.FrameSummary
	Sector            string // the named sector whose list the upload is, "" for a whole frame
}

type problemRow struct {
	Row    int
	Column string
	Reason string
}

type previewRow struct {
	Row                                int
	ID, District, Gender, AgeBand, Tel string
}

// countTables are the counts by district, gender and age band as rows,
// and for a service frame the sector × district table.
type countTables struct {
	Units, Contacts int
	District        []countRow
	Gender          []countRow
	AgeBand         []countRow
	Sector          *sectorTable
}

// sectorTable is a service frame's units per sector (rows) × district
// (columns), named in the page's language.
type sectorTable struct {
	Districts []string
	Rows      []sectorRow
	Totals    []int
	Total     int
}

type sectorRow struct {
	Label string
	N     []int
	Total int
}

// sectorTable builds the sector × district table of counts keyed
// "sector|district" (districts as codes or names), sectors and districts
// in the measurement's order, those it does not know after them; nil when
// there are no such counts.
func (l ofLayout) sectorTable(by map[string]int) *sectorTable {
	if len(by) == 0 || l.Measurement == nil {
		return nil
	}
	m := l.Measurement
	t := &sectorTable{}
	col := map[string]int{}
	for i, d := range m.Districts {
		t.Districts = append(t.Districts, d.Name.Get(l.Lang))
		for _, n := range []string{d.Code, d.Name.Zh, d.Name.En} {
			if _, dup := col[n]; !dup && n != "" {
				col[n] = i
			}
		}
	}
	row := map[string]int{}
	for _, s := range m.Sectors {
		row[s.Code] = len(t.Rows)
		t.Rows = append(t.Rows, sectorRow{Label: s.Name.Get(l.Lang)})
	}
	for _, k := range fieldwork.SortedKeys(by) {
		sec, dist, _ := strings.Cut(k, "|")
		if _, ok := row[sec]; !ok {
			row[sec] = len(t.Rows)
			t.Rows = append(t.Rows, sectorRow{Label: sec})
		}
		if _, ok := col[dist]; !ok {
			col[dist] = len(t.Districts)
			t.Districts = append(t.Districts, dist)
		}
	}
	t.Totals = make([]int, len(t.Districts))
	for i := range t.Rows {
		t.Rows[i].N = make([]int, len(t.Districts))
	}
	for k, n := range by {
		sec, dist, _ := strings.Cut(k, "|")
		r, c := row[sec], col[dist]
		t.Rows[r].N[c] += n
		t.Rows[r].Total += n
		t.Totals[c] += n
		t.Total += n
	}
	return t
}

type countRow struct {
	Label string
	N     int
	Share string
}

// framePage is the frame page.
type framePage struct {
	ofLayout
	Stored  *fieldwork.FrameSummary
	Counts  *countTables
	Job     *frameView
	Refresh bool
	Sampled bool
	MaxMB   int
	Sectors []survey.Sector // a service measurement's sectors, for the upload's sector select
	Lists   []sectorListRow // a service measurement's sector lists, one per sector
}

// sectorListRow is one sector's row of the sector lists' table: where its
// list came from, or Uploaded false.
type sectorListRow struct {
	Name     string
	Uploaded bool
	fieldwork.SectorList
}

// sectorListRows returns one row per sector of m in its order (a stored
// list of a sector m no longer has comes last, named by its code).
func sectorListRows(l ofLayout, m *survey.Measurement, lists []fieldwork.SectorList) []sectorListRow {
	by := map[string]fieldwork.SectorList{}
	for _, sl := range lists {
		by[sl.Sector] = sl
	}
	var out []sectorListRow
	for _, sec := range m.Sectors {
		sl, ok := by[sec.Code]
		delete(by, sec.Code)
		out = append(out, sectorListRow{Name: sec.Name.Get(l.Lang), Uploaded: ok, SectorList: sl})
	}
	for _, sl := range lists {
		if _, ok := by[sl.Sector]; ok {
			out = append(out, sectorListRow{Name: sl.Sector, Uploaded: true, SectorList: sl})
		}
	}
	return out
}

// maxProblemsShown bounds the rejected rows listed on the page; all of
// them are in "Download rejected rows".
const maxProblemsShown = 1000

// tables turns counts into rows with shares, districts in the
// measurement's order and named.
func (l ofLayout) tables(fc fieldwork.FrameCounts) countTables {
	t := countTables{Units: fc.Units, Contacts: fc.Contacts}
	share := func(n int) string {
		if fc.Units == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(fc.Units))
	}
	seen := map[string]bool{}
	if l.Measurement != nil {
		for _, d := range l.Measurement.Districts {
			seen[d.Code] = true
			t.District = append(t.District, countRow{Label: d.Name.Get(l.Lang), N: fc.ByDistrict[d.Code] + fc.ByDistrict[d.Name.Zh] + fc.ByDistrict[d.Name.En], Share: ""})
			seen[d.Name.Zh], seen[d.Name.En] = true, true
		}
	}
	for _, k := range fieldwork.SortedKeys(fc.ByDistrict) {
		if !seen[k] {
			t.District = append(t.District, countRow{Label: k, N: fc.ByDistrict[k]})
		}
	}
	for i := range t.District {
		t.District[i].Share = share(t.District[i].N)
	}
	t.Sector = l.sectorTable(fc.BySectorDistrict)
	for _, g := range []string{sampling.GenderMale, sampling.GenderFemale, ""} {
		if n, ok := fc.ByGender[g]; ok {
			t.Gender = append(t.Gender, countRow{Label: l.M("gender_" + g), N: n, Share: share(n)})
		}
	}
	for _, a := range append(append([]string{}, sampling.AgeBands...), "") {
		if n, ok := fc.ByAgeBand[a]; ok {
			lab := a
			if a == "" {
				lab = l.M("not_given")
			}
			t.AgeBand = append(t.AgeBand, countRow{Label: lab, N: n, Share: share(n)})
		}
	}
	return t
}

// view is what the page shows of job j.
func (o *officePages) view(l ofLayout, j *fieldwork.Job) (*frameView, error) {
	v := &frameView{ID: j.ID, Source: j.Source, Phase: j.Phase, Size: fileSize(j.Total)}
	if j.Phase == phaseReading || j.Phase == phaseImporting {
		if !o.running(j) {
			v.Phase = phaseFailed
			v.Err = ofUI["err_job_lost"].Get(l.Lang)
			return v, nil
		}
	}
	if j.Total > 0 {
		v.Percent = int(min(100*j.Done/j.Total, 100))
	}
	if j.Phase == phaseFailed {
		v.Err = j.ErrZh
		if l.Lang == survey.LangEn {
			v.Err = j.ErrEn
		}
		return v, nil
	}
	fm, err := o.frameMetaOf(j)
	if err != nil {
		return nil, err
	}
	v.Summary = fm.Summary
	if fm.Sector != "" {
		v.Sector = fm.Sector
		if l.Measurement != nil {
			if sec := l.Measurement.Sector(fm.Sector); sec != nil {
				v.Sector = sec.Name.Get(l.Lang)
			}
		}
	}
	v.Format = fm.Info.Format
	if fm.Info.Encoding != "" {
		v.Format += " · " + fm.Info.Encoding
	}
	if fm.Info.Sheet != "" {
		v.Format += " · " + fm.Info.Sheet
	}
	if j.Phase == phaseRead || j.Phase == phaseImporting || j.Phase == phaseImported {
		v.Counts = l.tables(fm.Counts)
		v.Rejected = fieldwork.RejectedRows(fm.RowErrs)
		for i, e := range fm.RowErrs {
			if i == maxProblemsShown {
				v.MoreProblems = len(fm.RowErrs) - i
				break
			}
			v.Problems = append(v.Problems, problemRow{Row: e.Row, Column: e.Column, Reason: e.Reason.Get(l.Lang)})
		}
		for _, u := range fm.Preview {
			v.Preview = append(v.Preview, previewRow{Row: u.Row, ID: u.ID, District: districtName(l, u.District),
				Gender: l.M("gender_" + u.Gender), AgeBand: u.AgeBand, Tel: u.Tel})
		}
	}
	return v, nil
}

// districtName names a district given as a code or a name in the frame.
func districtName(l ofLayout, s string) string {
	if l.Measurement != nil {
		for _, d := range l.Measurement.Districts {
			if s == d.Code || s == d.Name.Zh || s == d.Name.En {
				return d.Name.Get(l.Lang)
			}
		}
	}
	return s
}

// handleFrame handles GET /app/m/:id/frame: the stored frame's counts, the
// upload form, and the newest upload's progress or preview.
func (o *officePages) handleFrame(c *echo.Context) error {
	return o.showFrame(c, http.StatusOK, "")
}

func (o *officePages) showFrame(c *echo.Context, status int, msg string) error {
	l, m, err := o.layout(c, "frame_title", "/frame")
	if err != nil {
		return err
	}
	l.Error = msg
	ctx := c.Request().Context()
	v := framePage{ofLayout: l, MaxMB: maxUpload >> 20}
	if m.IsService() {
		v.Sectors = m.Sectors
		lists, err := o.store.SectorLists(ctx, m.ID)
		if err != nil {
			return err
		}
		v.Lists = sectorListRows(l, m, lists)
	}
	if sum, err := o.store.Frame(ctx, m.ID); err == nil {
		v.Stored = sum
		fc, err := o.store.StoredFrameCounts(ctx, m.ID)
		if err != nil {
			return err
		}
		if m.IsService() {
			cells, err := o.store.FrameCells(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, c := range cells {
				if c.Sector == "" {
					continue
				}
				if fc.BySectorDistrict == nil {
					fc.BySectorDistrict = map[string]int{}
				}
				fc.BySectorDistrict[c.Sector+"|"+c.District] += c.Units
			}
		}
		t := l.tables(*fc)
		v.Counts = &t
	} else if survey.ErrorCode(err) != survey.ENOTFOUND {
		return err
	}
	if _, err := o.store.Sample(ctx, m.ID); err == nil {
		v.Sampled = true
	} else if survey.ErrorCode(err) != survey.ENOTFOUND {
		return err
	}
	j, err := o.store.LatestJob(ctx, m.ID, fieldwork.JobFrame)
	if err == nil {
		if v.Job, err = o.view(l, j); err != nil {
			return err
		}
		v.Refresh = v.Job.Phase == phaseReading || v.Job.Phase == phaseImporting
	} else if survey.ErrorCode(err) != survey.ENOTFOUND {
		return err
	}
	return o.render(c, status, "of_frame.html", v)
}

func newJobID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// handleFrameUpload handles POST /app/m/:id/frame: the multipart field
// "frame" (CSV in UTF-8 or GBK/GB18030, or XLSX; at most 50 MB) is sealed
// into a job in the store and read in the background. The page then
// shows its progress and its preview; nothing is stored in the frame yet.
func (o *officePages) handleFrameUpload(c *echo.Context) error {
	r := c.Request()
	lang := language(c)
	tooLarge := func() error {
		return o.showFrame(c, http.StatusRequestEntityTooLarge, fmt.Sprintf(ofUI["err_too_large"].Get(lang), maxUpload>>20))
	}
	if r.ContentLength > maxUpload+maxBody {
		return tooLarge()
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUpload+maxBody)
	fh, err := c.FormFile("frame")
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge()
	case err != nil:
		return o.showFrame(c, http.StatusUnprocessableEntity, ofUI["err_no_file"].Get(lang))
	case fh.Size > maxUpload:
		return tooLarge()
	case fh.Size == 0:
		return o.showFrame(c, http.StatusUnprocessableEntity, ofUI["err_empty_file"].Get(lang))
	}
	ctx := r.Context()
	m, err := o.st.s.store.Measurement(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	sector := c.FormValue("sector")
	if _, err := fieldwork.FrameSectors(m, sector); err != nil {
		return o.showFrame(c, http.StatusUnprocessableEntity, survey.ErrorMessage(err, lang))
	}
	if o.st.s.key == nil {
		return o.showFrame(c, http.StatusConflict, ofUI["err_no_key"].Get(lang))
	}
	if _, err := o.store.Sample(ctx, m.ID); err == nil {
		return o.showFrame(c, http.StatusConflict, ofUI["err_sampled"].Get(lang))
	}
	if old, err := o.store.LatestJob(ctx, m.ID, fieldwork.JobFrame); err == nil && o.running(old) {
		return o.showFrame(c, http.StatusConflict, ofUI["err_busy"].Get(lang))
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	data, err := io.ReadAll(src)
	if err != nil {
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return err
	}
	sealed, err := o.st.s.key.Seal(string(data))
	if err != nil {
		return err
	}
	if _, err := o.store.ExpireJobs(ctx, o.st.s.now().Add(-jobForget)); err != nil {
		return err
	}
	j := &fieldwork.Job{ID: newJobID(), MeasurementID: m.ID, Kind: fieldwork.JobFrame, User: staffSession(c).User.Name,
		Source: filepath.Base(fh.Filename), Phase: phaseReading, Total: fh.Size, Input: sealed}
	if err := o.store.CreateJob(ctx, j); err != nil {
		return err
	}
	detail := map[string]any{"file": j.Source, "bytes": fh.Size}
	if sector != "" {
		detail["sector"] = sector
	}
	if err := o.audit(c, "frame.upload", m.ID, detail); err != nil {
		return err
	}
	o.jobs.wait.Add(1)
	go func() {
		defer o.jobs.wait.Done()
		if frameJobStarted != nil {
			frameJobStarted()
		}
		f, rowErrs, info, err := o.readStaged(j, data, sector)
		if err != nil {
			o.failJob(j, err)
			return
		}
		fm := frameMeta{Header: f.Header, RowErrs: rowErrs, Info: info, Counts: fieldwork.CountFrame(f), Sector: sector}
		for i := 0; i < len(f.Units) && i < 5; i++ {
			u := f.Units[i]
			su := stagedUnit{Row: u.Row, ID: u.ID, District: u.District, Gender: u.Gender, AgeBand: u.AgeBand}
			if u.Contact != "" {
				su.Tel = fieldwork.MaskPhone(u.Contact)
			}
			fm.Preview = append(fm.Preview, su)
		}
		if j.Meta, err = o.sealJSON(fm); err != nil {
			o.failJob(j, err)
			return
		}
		j.Phase, j.Done = phaseRead, j.Total
		if err := o.store.UpdateJob(context.Background(), j); err != nil {
			o.st.s.log.Error("frame job: store the preview", "measurement", j.MeasurementID, "err", err)
		}
	}()
	return c.Redirect(http.StatusSeeOther, setupPath(m.ID, "/frame"))
}

// readStaged reads a staged upload's file (data, or j's sealed input when
// nil) with the measurement's districts and sectors (sector: the one
// sector the file is the list of, or "" for a whole frame), reporting
// progress to j.
func (o *officePages) readStaged(j *fieldwork.Job, data []byte, sector string) (*sampling.Frame, []sampling.RowError, sampling.FrameFileInfo, error) {
	ctx := context.Background()
	if data == nil {
		s, err := o.st.s.key.Open(j.Input)
		if err != nil {
			return nil, nil, sampling.FrameFileInfo{}, err
		}
		data = []byte(s)
	}
	known, _, err := o.store.FrameDistricts(ctx, j.MeasurementID)
	if err != nil {
		return nil, nil, sampling.FrameFileInfo{}, err
	}
	m, err := o.st.s.store.Measurement(ctx, j.MeasurementID)
	if err != nil {
		return nil, nil, sampling.FrameFileInfo{}, err
	}
	sectors, err := fieldwork.FrameSectors(m, sector)
	if err != nil {
		return nil, nil, sampling.FrameFileInfo{}, err
	}
	p := &jobProgress{store: o.store, id: j.ID}
	return sampling.ReadFrameFile(&countingReader{Reader: bytes.NewReader(data), p: p, total: int64(len(data))},
		sampling.FrameOptions{Districts: known, Sectors: sectors, Sector: sector})
}

// stagedJob returns the measurement's job when it is the one the form
// names (field "job") and waits for the user.
func (o *officePages) stagedJob(c *echo.Context) (*fieldwork.Job, error) {
	gone := survey.Errorf(survey.ENOTFOUND, "这个上传已不存在，请重新上传名单文件", "this upload is gone; upload the frame file again")
	j, err := o.store.Job(c.Request().Context(), c.FormValue("job"))
	if survey.ErrorCode(err) == survey.ENOTFOUND {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	if j.MeasurementID != c.Param("id") || j.Kind != fieldwork.JobFrame {
		return nil, gone
	}
	if j.Phase != phaseRead {
		return nil, survey.Errorf(survey.ECONFLICT, "这个上传已经导入或正在导入", "this upload is imported or being imported already")
	}
	return j, nil
}

// handleFrameImport handles POST /app/m/:id/frame/import (field "job"):
// the staged upload's clean rows are stored in the background (contacts
// sealed with the server's contact key) and audited when done. Any
// server may carry it: the upload is read again from the store.
func (o *officePages) handleFrameImport(c *echo.Context) error {
	j, err := o.stagedJob(c)
	if err != nil {
		if msg, ok := errorText(err, language(c)); ok {
			return o.showFrame(c, statusOfErr(err), msg)
		}
		return err
	}
	ip, user := c.RealIP(), staffSession(c).User.Name
	j.Phase, j.Done = phaseImporting, 0
	if err := o.store.UpdateJob(c.Request().Context(), j); err != nil {
		return err
	}
	o.jobs.wait.Add(1)
	go func() {
		defer o.jobs.wait.Done()
		staged, err := o.frameMetaOf(j)
		if err != nil {
			o.failJob(j, err)
			return
		}
		f, rowErrs, _, err := o.readStaged(j, nil, staged.Sector)
		if err != nil {
			o.failJob(j, err)
			return
		}
		p := &jobProgress{store: o.store, id: j.ID}
		ctx := fieldwork.WithProgress(context.Background(), func(done, total int) { p.set(int64(done), int64(total)) })
		var sum *fieldwork.FrameSummary
		if staged.Sector != "" {
			sum, err = fieldwork.ImportSectorFrame(ctx, o.store, j.MeasurementID, staged.Sector, f, fieldwork.RejectedRows(rowErrs), o.st.s.key, j.Source, user)
		} else {
			sum, err = fieldwork.ImportFrame(ctx, o.store, j.MeasurementID, f, fieldwork.RejectedRows(rowErrs), o.st.s.key, j.Source, user)
		}
		if err == nil {
			detail := map[string]any{"file": j.Source, "units": sum.Units, "rejected": sum.Rejected, "contacts": sum.Contacts}
			if staged.Sector != "" {
				detail["sector"] = staged.Sector
			}
			err = o.st.accounts.Audit(context.Background(), auth.AuditEntry{User: user, Action: fieldwork.ActionFrameImport, Target: j.MeasurementID, IP: ip, Detail: detail})
		}
		if err != nil {
			o.failJob(j, err)
			return
		}
		fm, err := o.frameMetaOf(j)
		if err == nil {
			fm.Summary, fm.RowErrs = sum, rowErrs
			j.Meta, err = o.sealJSON(fm)
		}
		if err != nil {
			o.failJob(j, err)
			return
		}
		j.Phase, j.Input, j.Done, j.Total = phaseImported, "", int64(len(f.Units)), int64(len(f.Units))
		if err := o.store.UpdateJob(context.Background(), j); err != nil {
			o.st.s.log.Error("frame job: record the import", "measurement", j.MeasurementID, "err", err)
		}
	}()
	return c.Redirect(http.StatusSeeOther, setupPath(j.MeasurementID, "/frame"))
}

// handleFrameDiscard handles POST /app/m/:id/frame/discard (field "job"):
// the staged upload is forgotten; nothing was stored.
func (o *officePages) handleFrameDiscard(c *echo.Context) error {
	id, ctx := c.Param("id"), c.Request().Context()
	if j, err := o.store.Job(ctx, c.FormValue("job")); err == nil && j.MeasurementID == id && j.Kind == fieldwork.JobFrame && !o.running(j) {
		if err := o.store.DeleteJob(ctx, j.ID); err != nil {
			return err
		}
	}
	if err := o.audit(c, "frame.discard", id, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/frame?done=discarded"))
}

// handleFrameRejects handles GET /app/m/:id/frame/rejects.csv: the newest
// upload's rejected rows (sampling.WriteRejects: row, reason, then the
// row's own fields) for the office to fix and upload again. It repeats
// the file's phone numbers, so only the office may fetch it.
func (o *officePages) handleFrameRejects(c *echo.Context) error {
	id := c.Param("id")
	none := survey.Errorf(survey.ENOTFOUND, "没有待导入的上传", "there is no staged upload")
	j, err := o.store.LatestJob(c.Request().Context(), id, fieldwork.JobFrame)
	if survey.ErrorCode(err) == survey.ENOTFOUND || (err == nil && (j.Phase == phaseReading || j.Phase == phaseFailed)) {
		return none
	}
	if err != nil {
		return err
	}
	fm, err := o.frameMetaOf(j)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel opens UTF-8 CSV with a BOM correctly
	if err := sampling.WriteRejects(&buf, fm.Header, fm.RowErrs); err != nil {
		return err
	}
	if err := o.audit(c, "frame.rejects", id, map[string]any{"rows": fieldwork.RejectedRows(fm.RowErrs)}); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-rejected-rows.csv"`, id))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// countsView is what the of_counts template gets: the texts and a table.
type countsView struct {
	L ofLayout
	T countTables
}

// CountsView pairs a count table with the page's texts for of_counts.
func (l ofLayout) CountsView(t countTables) countsView { return countsView{L: l, T: t} }

// fileSize is a file's size for people: "3.2 MB", or "12 KB" below a
// megabyte (a small file is not "0.0 MB").
func fileSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
