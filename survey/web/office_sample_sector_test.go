package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"manyi/survey"
	"manyi/survey/sampling"
)

// serviceSampleCells are the test frame's units per sector × district.
var serviceSampleCells = map[string]int{"retail|d1": 40, "retail|d2": 12, "catering|d1": 30, "catering|d2": 90, "banking|d1": 25, "banking|d2": 6}

// newServiceSampleEnv is the office environment with a service
// measurement "svc" (default sectors, districts d1 and d2) whose frame
// has serviceSampleCells, imported through the store with each unit's
// sector, and the office logged in.
func newServiceSampleEnv(t *testing.T) (*staffEnv, *staffClient) {
	t.Helper()
	e, cfg := newOfficeEnvConfig(t)
	ctx := context.Background()
	m := &survey.Measurement{
		ID: "svc", City: survey.Text{Zh: "示例市", En: "Example City"}, Title: survey.Text{Zh: "示例市 2027 年服务业顾客满意度测评", En: "Example 2027 service"}, Year: 2027,
		Kind: survey.KindService, Sectors: survey.DefaultSectors(),
		Districts: []survey.District{{Code: "d1", Name: survey.Text{Zh: "东城区", En: "Dongcheng"}}, {Code: "d2", Name: survey.Text{Zh: "西城区", En: "Xicheng"}}},
	}
	if err := e.db.CreateMeasurement(ctx, m, survey.DefaultServiceQuestionnaire()); err != nil {
		t.Fatal(err)
	}
	f := &sampling.Frame{Header: []string{"id", "district", "sector"}}
	for _, h := range sortedKeysInt(serviceSampleCells) {
		sec, d, _ := sampling.SplitSectorCell(h)
		for i := 0; i < serviceSampleCells[h]; i++ {
			id := fmt.Sprintf("%s-%s-%03d", sec, d, i)
			f.Units = append(f.Units, sampling.Unit{ID: id, District: d, Sector: sec, Row: len(f.Units) + 2})
		}
	}
	if _, err := e.db.ImportFrame(ctx, "svc", f, 0, cfg.ContactKey, "customers.csv", "boss"); err != nil {
		t.Fatal(err)
	}
	c := e.client("10.8.2.1")
	c.login("boss")
	return e, c
}

func sortedKeysInt(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

// TestOfficeSampleService posts the service form: per_cell 20 and
// catering=60 with floor 15. By hand: retail 20 and 12 (all of d2),
// catering 60·(30, 90)/120 = 15, 45 (d1 at the floor, not below it), banking 20
// and 6 (all of d2); 118 in all.
func TestOfficeSampleService(t *testing.T) {
	e, c := newServiceSampleEnv(t)
	ctx := context.Background()
	page := c.get("/app/m/svc/sample").Body.String()
	for _, want := range []string{`name="per_cell"`, `name="sector_totals"`, "每格固定样本量", "行业 × 区县"} {
		if !strings.Contains(page, want) {
			t.Errorf("the service sample form lacks %q", want)
		}
	}
	if strings.Contains(page, `name="sizes"`) {
		t.Error("the service sample form offers district sizes")
	}
	if en := c.get("/app/m/svc/sample?lang=en").Body.String(); !strings.Contains(en, "Sample per cell") || !strings.Contains(en, "Sector totals") {
		t.Error("the English service form lacks its labels")
	}
	c.get("/app/m/svc/sample?lang=zh")
	csrf := csrfOf(t, page)
	form := url.Values{"csrf": {csrf}, "allocation": {"per_cell"}, "per_cell": {"20"}, "sector_totals": {"catering=60\r\n"}, "floor": {"15"},
		"reserve": {"0.5"}, "reserve_batches": {"2"}, "seed": {"7"}, "action": {"preview"}}
	rec := c.post("/app/m/svc/sample", form)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "分配预览") {
		t.Fatalf("preview: %d\n%s", rec.Code, body)
	}
	prev := body[strings.Index(body, `id="preview"`):]
	prev = prev[:strings.Index(prev, "</section>")]
	for _, want := range []string{`<th scope="col">行业</th><th scope="col">区县</th>`, `<th scope="row">零售</th><th scope="row">西城区</th><td>12</td>`,
		`<td>45.00</td><td>45</td>`, "全取", `class="subtotal"`, "<td>118</td>", `<div class="scroll">`} {
		if !strings.Contains(prev, want) {
			t.Errorf("preview lacks %q:\n%s", want, prev)
		}
	}
	if strings.Contains(prev, "retail|d1") {
		t.Error("the preview shows a raw cell key")
	}
	// By sector, in the measurement's sector order: retail, catering, banking.
	if r, ca, b := strings.Index(prev, "零售"), strings.Index(prev, "餐饮"), strings.Index(prev, "银行"); !(r < ca && ca < b) {
		t.Errorf("sectors out of order: %d %d %d", r, ca, b)
	}
	if _, err := e.db.Sample(ctx, "svc"); survey.ErrorCode(err) != survey.ENOTFOUND {
		t.Fatal("the preview drew a sample")
	}
	// Bad values come back with the message beside the field.
	bad := []struct {
		field, value, errID, want string
	}{
		{"per_cell", "0", "per_cell-err", "每格样本量必须是大于 0 的整数"},
		{"per_cell", "x", "per_cell-err", "每格样本量"},
		{"sector_totals", "nosuch=5", "sector_totals-err", "本测评没有行业“nosuch”"},
		{"sector_totals", "catering 5", "sector_totals-err", "第 1 行应为"},
		{"sector_totals", "catering=500", "sector_totals-err", "超过其抽样框数 120"},
	}
	for _, b := range bad {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(b.field, b.value)
		rec := c.post("/app/m/svc/sample", f)
		body := rec.Body.String()
		i := strings.Index(body, `id="`+b.errID+`"`)
		if rec.Code < 400 || i < 0 || !strings.Contains(body[i:min(i+300, len(body))], b.want) {
			t.Errorf("%s=%q: %d, want %q by the field", b.field, b.value, rec.Code, b.want)
		}
		if !strings.Contains(body, b.value) {
			t.Errorf("%s=%q: the value is not kept on the form", b.field, b.value)
		}
	}
	form.Set("action", "draw")
	if rec := c.post("/app/m/svc/sample", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("draw: %d\n%s", rec.Code, rec.Body)
	}
	si, err := e.db.Sample(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if si.Alloc.Total != 118 || si.Alloc.Stratum != sampling.StratumSectorDistrict || si.Plan.PerCell != 20 || si.Plan.SectorTotals["catering"] != 60 || si.Seed != 7 {
		t.Errorf("sample: total %d, stratum %q, plan %+v, seed %d", si.Alloc.Total, si.Alloc.Stratum, si.Plan, si.Seed)
	}
	if s := si.Alloc.Get("banking|d2"); s == nil || s.SampleN != 6 || s.Bound != sampling.BoundFrame {
		t.Errorf("banking|d2: %+v", s)
	}
	drawn := c.get("/app/m/svc/sample").Body.String()
	for _, want := range []string{`<th scope="row">银行</th><th scope="row">西城区</th><td>6</td>`, "catering=60", `value="20"`} {
		if !strings.Contains(drawn, want) {
			t.Errorf("the drawn sample page lacks %q", want)
		}
	}
	// A residents' measurement keeps its form.
	if res := c.get("/app/m/m1/sample").Body.String(); strings.Contains(res, `name="per_cell"`) || !strings.Contains(res, "设置分配方法") {
		t.Error("the residents' sample form changed")
	}
}
