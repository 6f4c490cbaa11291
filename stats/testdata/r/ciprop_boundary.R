# svyciprop at a proportion of 0 or 1 (stats.TestProportionBoundaryIntervals).
# Rscript stats/testdata/r/ciprop_boundary.R
# R 4.1.1, survey 4.1.1 prints: logit [6.93e-12, 8.68e-12] for p = 0 and
# [0.999999999991321, 0.999999999993073] for p = 1 (svyglm stops near the
# boundary: the interval is p itself to 1e-11); beta: NaN NaN for both.
suppressMessages(library(survey))
set.seed(1)
d <- data.frame(x = rep(0, 30), st = rep(1:3, 10), w = runif(30, 1, 3))
des <- svydesign(ids = ~1, strata = ~st, weights = ~w, data = d)
for (f in list(~I(x == 1), ~I(x == 0))) {
  r <- svyciprop(f, des, method = "logit")
  print(c(coef(r), SE(r)), digits = 15)
  print(attr(r, "ci"), digits = 15)
  print(attr(svyciprop(f, des, method = "logit", df = degf(des)), "ci"), digits = 15)
  print(attr(svyciprop(f, des, method = "beta"), "ci"), digits = 15)
}
