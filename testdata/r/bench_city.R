# bench_city.R: the R survey side of BenchmarkCitySurvey200k (stats/bench_test.go).
#
# It does the same work as the Go benchmark on the same synthetic data:
# design (12 district strata, 600 community PSUs with fpc), raking on
# gender x age (joint) and district (calibrate(calfun = "raking")), the overall
# satisfaction index over 30 items, 5 domain indices, the index by district,
# and the mean of the overall item with its design effect. The index is
# computed as the fixtures define it (svytotal of the num_k/den_k columns,
# then svycontrast of sum c_k num_k/den_k; districts as subset() domains).
#
# Rerun (see docs/PERFORMANCE.md):
#   go test ./stats -run TestCitySurveyData -citycsv /tmp/city200k.csv -v
#   Rscript testdata/r/bench_city.R /tmp/city200k.csv
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else "/tmp/city200k.csv"
d <- read.csv(path, na.strings = c("", "NA"), check.names = FALSE)
tot <- read.csv(paste0(path, ".totals.csv"), stringsAsFactors = FALSE)
items <- sprintf("q%02d", 1:30)
ga_levels <- tot$category[tot$margin == "gender_agegroup"]
d_levels <- tot$category[tot$margin == "district"]

index <- function(des, its) {
  nums <- paste0("num_", its)
  dens <- paste0("den_", its)
  tt <- svytotal(as.formula(paste("~", paste(c(nums, dens), collapse = " + "))), des)
  expr <- parse(text = paste(sprintf("%.17g * %s / %s", 1 / length(its), nums, dens), collapse = " + "))[[1]]
  svycontrast(tt, expr)
}

elapsed <- system.time({
  for (it in items) {
    y <- d[[it]]
    ok <- !is.na(y) & y >= 1 & y <= 10
    d[[paste0("num_", it)]] <- ifelse(ok, 100 * (y - 1) / 9, 0)
    d[[paste0("den_", it)]] <- as.numeric(ok)
  }
  d$gender_agegroup <- factor(paste(d$gender, d$agegroup, sep = "|"), levels = ga_levels)
  d$district <- factor(d$district, levels = d_levels)
  des <- svydesign(ids = ~psu, strata = ~district, weights = ~w, fpc = ~N_psu, nest = TRUE, data = d)
  pop <- c(sum(tot$total[tot$margin == "district"]),
           tot$total[tot$margin == "gender_agegroup"][-1],
           tot$total[tot$margin == "district"][-1])
  names(pop) <- c("(Intercept)", paste0("gender_agegroup", ga_levels[-1]), paste0("district", d_levels[-1]))
  des <- calibrate(des, ~gender_agegroup + district, population = pop,
                   calfun = "raking", epsilon = 1e-10, maxit = 100)
  idx_all <- index(des, items)
  idx_dom <- lapply(0:4, function(k) index(des, items[(6 * k + 1):(6 * k + 6)]))
  idx_district <- lapply(d_levels, function(h) index(subset(des, district == h), items))
  m <- svymean(~overall, des, na.rm = TRUE, deff = TRUE)
})["elapsed"]

cat(sprintf("index_all %.15g se %.15g\n", coef(idx_all), SE(idx_all)))
for (k in 1:5) cat(sprintf("index_domain%d %.15g se %.15g\n", k, coef(idx_dom[[k]]), SE(idx_dom[[k]])))
for (h in seq_along(d_levels)) cat(sprintf("index_%s %.15g se %.15g\n", d_levels[h], coef(idx_district[[h]]), SE(idx_district[[h]])))
cat(sprintf("mean_overall %.15g se %.15g deff %.15g\n", coef(m), SE(m), deff(m)))
cat(sprintf("R survey %s elapsed %.3f s\n", packageVersion("survey"), elapsed))
