package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"manyi/survey"
	"manyi/survey/auth"
	"manyi/survey/fieldwork"
	"manyi/survey/sampling"
)

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

// frameJob is one uploaded frame file on its way into the store. Reading a
// million rows and storing them takes seconds, so both run in the
// background; the frame page shows the progress and refreshes itself
// (meta refresh, no script needed) until the job waits for the user or is
// done. Nothing reaches the store before the user presses "Import clean
// rows". Jobs live in this process only: behind several servers, the
// office's requests of one upload must reach the same server.
type frameJob struct {
	mu            sync.Mutex
	ID            string
	MeasurementID string
	User          string
	Source        string // the file name as uploaded
	Size          int64
	Phase         string
	Done, Total   int64 // progress of the phase
	Err           error
	Started       time.Time

	frame   *sampling.Frame
	header  []string
	rowErrs []sampling.RowError
	Info    sampling.FrameFileInfo
	Counts  fieldwork.FrameCounts
	Summary *fieldwork.FrameSummary
}

// frameJobs holds the newest job of each measurement.
type frameJobs struct {
	mu   sync.Mutex
	byM  map[string]*frameJob
	wait sync.WaitGroup // running jobs (tests wait for them)
}

func newFrameJobs() *frameJobs { return &frameJobs{byM: map[string]*frameJob{}} }

func (js *frameJobs) get(measurementID string) *frameJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.byM[measurementID]
}

// start registers j as the measurement's job unless one is running.
func (js *frameJobs) start(j *frameJob) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	if old := js.byM[j.MeasurementID]; old != nil {
		old.mu.Lock()
		busy := old.Phase == phaseReading || old.Phase == phaseImporting
		old.mu.Unlock()
		if busy {
			return false
		}
	}
	js.byM[j.MeasurementID] = j
	return true
}

func (js *frameJobs) drop(measurementID string) {
	js.mu.Lock()
	defer js.mu.Unlock()
	delete(js.byM, measurementID)
}

// countingFile reports how far a file has been read.
type countingFile struct {
	*os.File
	j    *frameJob
	base int64 // bytes read in earlier passes
	pos  int64
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.pos += int64(n)
	f.j.mu.Lock()
	f.j.Done = f.base + f.pos
	f.j.mu.Unlock()
	return n, err
}

func (f *countingFile) Seek(off int64, whence int) (int64, error) {
	p, err := f.File.Seek(off, whence)
	if err == nil && p == 0 {
		f.base += f.pos // a new pass over the file
		f.pos = 0
	}
	return p, err
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

// countTables are the counts by district, gender and age band as rows.
type countTables struct {
	Units, Contacts int
	District        []countRow
	Gender          []countRow
	AgeBand         []countRow
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

// view copies what the page shows of j (under its lock).
func (l ofLayout) view(j *frameJob) *frameView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := &frameView{ID: j.ID, Source: j.Source, Phase: j.Phase, Size: fmt.Sprintf("%.1f MB", float64(j.Size)/(1<<20)), Summary: j.Summary}
	if j.Total > 0 {
		v.Percent = int(min(100*j.Done/j.Total, 100))
	}
	if j.Err != nil {
		if msg, ok := errorText(j.Err, l.Lang); ok {
			v.Err = msg
		} else {
			v.Err = survey.ErrorMessage(j.Err, l.Lang)
		}
	}
	v.Format = j.Info.Format
	if j.Info.Encoding != "" {
		v.Format += " · " + j.Info.Encoding
	}
	if j.Info.Sheet != "" {
		v.Format += " · " + j.Info.Sheet
	}
	if j.Phase == phaseRead || j.Phase == phaseImporting || j.Phase == phaseImported {
		v.Counts = l.tables(j.Counts)
		v.Rejected = fieldwork.RejectedRows(j.rowErrs)
		for i, e := range j.rowErrs {
			if i == maxProblemsShown {
				v.MoreProblems = len(j.rowErrs) - i
				break
			}
			v.Problems = append(v.Problems, problemRow{Row: e.Row, Column: e.Column, Reason: e.Reason.Get(l.Lang)})
		}
		if j.frame != nil {
			for i := 0; i < len(j.frame.Units) && i < 5; i++ {
				u := j.frame.Units[i]
				pr := previewRow{Row: u.Row, ID: u.ID, District: l.District(u.District), Gender: l.M("gender_" + u.Gender), AgeBand: u.AgeBand}
				if u.Contact != "" {
					pr.Tel = fieldwork.MaskPhone(u.Contact)
				}
				pr.District = districtName(l, u.District)
				v.Preview = append(v.Preview, pr)
			}
		}
	}
	return v
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
	if sum, err := o.store.Frame(ctx, m.ID); err == nil {
		v.Stored = sum
		fc, err := o.store.StoredFrameCounts(ctx, m.ID)
		if err != nil {
			return err
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
	if j := o.jobs.get(m.ID); j != nil {
		v.Job = l.view(j)
		v.Refresh = v.Job.Phase == phaseReading || v.Job.Phase == phaseImporting
	}
	return o.render(c, status, "of_frame.html", v)
}

func newJobID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// handleFrameUpload handles POST /app/m/:id/frame: the multipart field
// "frame" (CSV in UTF-8 or GBK/GB18030, or XLSX; at most 50 MB) is
// copied to a private temporary file and read in the background. The
// page then shows its progress and its preview; nothing is stored yet.
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
	m, err := o.st.s.store.Measurement(r.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if _, err := o.store.Sample(r.Context(), m.ID); err == nil {
		return o.showFrame(c, http.StatusConflict, ofUI["err_sampled"].Get(lang))
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	// The multipart temporary file goes when the request ends; the job
	// needs its own copy (0600: it holds phone numbers; removed once read).
	tmp, err := os.CreateTemp("", "manyi-frame-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return err
	}
	known, _, err := o.store.FrameDistricts(r.Context(), m.ID)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	j := &frameJob{ID: newJobID(), MeasurementID: m.ID, User: staffSession(c).User.Name, Source: filepath.Base(fh.Filename),
		Size: fh.Size, Phase: phaseReading, Total: 2 * fh.Size, Started: o.st.s.now()}
	if !o.jobs.start(j) {
		tmp.Close()
		os.Remove(tmp.Name())
		return o.showFrame(c, http.StatusConflict, ofUI["err_busy"].Get(lang))
	}
	if err := o.audit(c, "frame.upload", m.ID, map[string]any{"file": j.Source, "bytes": j.Size}); err != nil {
		return err
	}
	o.jobs.wait.Add(1)
	go func() {
		defer o.jobs.wait.Done()
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			o.failJob(j, err)
			return
		}
		f, rowErrs, info, err := sampling.ReadFrameFile(&countingFile{File: tmp, j: j}, sampling.FrameOptions{Districts: known})
		if err != nil {
			o.failJob(j, err)
			return
		}
		counts := fieldwork.CountFrame(f)
		j.mu.Lock()
		j.frame, j.header, j.rowErrs, j.Info, j.Counts = f, f.Header, rowErrs, info, counts
		j.Phase, j.Done = phaseRead, j.Total
		j.mu.Unlock()
	}()
	return c.Redirect(http.StatusSeeOther, setupPath(m.ID, "/frame"))
}

func (o *officePages) failJob(j *frameJob, err error) {
	if survey.ErrorCode(err) == survey.EINTERNAL {
		o.st.s.log.Error("frame job failed", "measurement", j.MeasurementID, "err", err)
	}
	j.mu.Lock()
	j.Phase, j.Err, j.frame = phaseFailed, err, nil
	j.mu.Unlock()
}

// stagedJob returns the measurement's job when it is the one the form
// names (field "job") and waits for the user.
func (o *officePages) stagedJob(c *echo.Context) (*frameJob, error) {
	j := o.jobs.get(c.Param("id"))
	if j == nil || j.ID != c.FormValue("job") {
		return nil, survey.Errorf(survey.ENOTFOUND, "这个上传已不存在，请重新上传名单文件", "this upload is gone; upload the frame file again")
	}
	j.mu.Lock()
	phase := j.Phase
	j.mu.Unlock()
	if phase != phaseRead {
		return nil, survey.Errorf(survey.ECONFLICT, "这个上传已经导入或正在导入", "this upload is imported or being imported already")
	}
	return j, nil
}

// handleFrameImport handles POST /app/m/:id/frame/import (field "job"):
// the staged upload's clean rows are stored in the background (contacts
// sealed with the server's contact key) and audited when done.
func (o *officePages) handleFrameImport(c *echo.Context) error {
	j, err := o.stagedJob(c)
	if err != nil {
		if msg, ok := errorText(err, language(c)); ok {
			return o.showFrame(c, statusOfErr(err), msg)
		}
		return err
	}
	ip, user := c.RealIP(), staffSession(c).User.Name
	j.mu.Lock()
	f, rejected := j.frame, fieldwork.RejectedRows(j.rowErrs)
	j.Phase, j.Done, j.Total = phaseImporting, 0, int64(len(f.Units))
	j.mu.Unlock()
	o.jobs.wait.Add(1)
	go func() {
		defer o.jobs.wait.Done()
		ctx := fieldwork.WithProgress(context.Background(), func(done, total int) {
			j.mu.Lock()
			j.Done, j.Total = int64(done), int64(total)
			j.mu.Unlock()
		})
		sum, err := fieldwork.ImportFrame(ctx, o.store, j.MeasurementID, f, rejected, o.st.s.key, j.Source, user)
		if err == nil {
			err = o.st.accounts.Audit(context.Background(), auth.AuditEntry{User: user, Action: fieldwork.ActionFrameImport, Target: j.MeasurementID, IP: ip,
				Detail: map[string]any{"file": j.Source, "units": sum.Units, "rejected": sum.Rejected, "contacts": sum.Contacts}})
		}
		if err != nil {
			o.failJob(j, err)
			return
		}
		j.mu.Lock()
		j.Phase, j.Summary, j.frame, j.Done = phaseImported, sum, nil, j.Total
		j.mu.Unlock()
	}()
	return c.Redirect(http.StatusSeeOther, setupPath(j.MeasurementID, "/frame"))
}

// handleFrameDiscard handles POST /app/m/:id/frame/discard (field "job"):
// the staged upload is forgotten; nothing was stored.
func (o *officePages) handleFrameDiscard(c *echo.Context) error {
	id := c.Param("id")
	if j := o.jobs.get(id); j != nil && j.ID == c.FormValue("job") {
		j.mu.Lock()
		busy := j.Phase == phaseReading || j.Phase == phaseImporting
		j.mu.Unlock()
		if !busy {
			o.jobs.drop(id)
		}
	}
	if err := o.audit(c, "frame.discard", id, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, setupPath(id, "/frame?done=discarded"))
}

// handleFrameRejects handles GET /app/m/:id/frame/rejects.csv: the staged
// upload's rejected rows (sampling.WriteRejects: row, reason, then the
// row's own fields) for the office to fix and upload again. It repeats
// the file's phone numbers, so only the office may fetch it.
func (o *officePages) handleFrameRejects(c *echo.Context) error {
	j := o.jobs.get(c.Param("id"))
	if j == nil {
		return survey.Errorf(survey.ENOTFOUND, "没有待导入的上传", "there is no staged upload")
	}
	j.mu.Lock()
	header, errs := j.header, j.rowErrs
	j.mu.Unlock()
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel opens UTF-8 CSV with a BOM correctly
	if err := sampling.WriteRejects(&buf, header, errs); err != nil {
		return err
	}
	if err := o.audit(c, "frame.rejects", j.MeasurementID, map[string]any{"rows": fieldwork.RejectedRows(errs)}); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-rejected-rows.csv"`, j.MeasurementID))
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
