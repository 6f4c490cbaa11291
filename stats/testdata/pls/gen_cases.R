# gen_cases.R: writes the data.csv and model.json of the project's own PLS
# reference cases (centroid_modeb_std, factorial_weighted, path_single_std);
# their expected.json then comes from compare.R --write (plspm 0.4.9).
#
#   R_LIBS=/tmp/rlib Rscript gen_cases.R && for d in centroid_modeb_std factorial_weighted path_single_std; do
#     R_LIBS=/tmp/rlib Rscript compare.R $d --write; done
suppressPackageStartupMessages(library(jsonlite))

# items on 1..10 from a latent score
item <- function(lv, load = 0.8, mean = 7) {
  x <- round(mean + 1.6 * (load * lv + sqrt(1 - load^2) * rnorm(length(lv))))
  pmin(10, pmax(1, x))
}

# A CCSI-shaped chain IMAG -> QUAL -> VAL -> SAT -> LOY (and IMAG -> SAT).
sim <- function(n) {
  img <- rnorm(n)
  qua <- 0.5 * img + sqrt(0.75) * rnorm(n)
  val <- 0.6 * qua + 0.8 * rnorm(n)
  sat <- 0.3 * img + 0.4 * qua + 0.3 * val + 0.7 * rnorm(n)
  loy <- 0.6 * sat + 0.8 * rnorm(n)
  data.frame(
    img1 = item(img), img2 = item(img, 0.7), img3 = item(img, 0.85),
    # formative quality: three distinct facets that build the construct
    qua1 = item(qua + 0.5 * rnorm(n), 0.6), qua2 = item(qua + 0.8 * rnorm(n), 0.5),
    qua3 = item(qua + rnorm(n), 0.45), qua4 = item(rnorm(n) * 0.3 + qua, 0.5),
    val1 = item(val), val2 = item(val, 0.75),
    sat1 = item(sat, 0.85), sat2 = item(sat, 0.8), sat3 = item(sat, 0.7),
    loy1 = item(loy, 0.8), loy2 = item(loy, 0.75), loy3 = item(loy, 0.65)
  )
}

cons <- function(name, ind, mode = "A") list(name = name, indicators = I(ind), mode = mode)
paths <- list(c("IMAG", "QUAL"), c("QUAL", "VAL"), c("IMAG", "SAT"), c("QUAL", "SAT"),
              c("VAL", "SAT"), c("SAT", "LOY"))
put <- function(dir, d, model) {
  dir.create(dir, showWarnings = FALSE)
  write.csv(d, file.path(dir, "data.csv"), row.names = FALSE)
  writeLines(toJSON(model, auto_unbox = TRUE, pretty = TRUE), file.path(dir, "model.json"))
}

# 1. centroid scheme, standardized indicators, a formative (mode B) block.
set.seed(20261204)
d <- sim(400)
put("centroid_modeb_std", d, list(
  constructs = list(cons("IMAG", c("img1", "img2", "img3")),
                    cons("QUAL", c("qua1", "qua2", "qua3", "qua4"), "B"),
                    cons("VAL", c("val1", "val2")),
                    cons("SAT", c("sat1", "sat2", "sat3")),
                    cons("LOY", c("loy1", "loy2", "loy3"))),
  paths = paths, scheme = "centroid", standardize = TRUE, index_scale = c(1, 10),
  note = "simulated CCSI-shaped chain (gen_cases.R, seed 20261204), 400 customers, QUAL formative"))

# 2. factorial scheme, centred only, integer sampling weights 1..3 that
#    compare.R turns into repeated rows.
set.seed(20261205)
d <- sim(300)
d$w <- sample(1:3, nrow(d), replace = TRUE)
put("factorial_weighted", d, list(
  constructs = list(cons("IMAG", c("img1", "img2", "img3")),
                    cons("QUAL", c("qua1", "qua2", "qua3", "qua4")),
                    cons("VAL", c("val1", "val2")),
                    cons("SAT", c("sat1", "sat2", "sat3")),
                    cons("LOY", c("loy1", "loy2", "loy3"))),
  paths = paths, scheme = "factorial", standardize = FALSE, index_scale = c(1, 10),
  weight = "w",
  note = "simulated (gen_cases.R, seed 20261205), 300 customers with weights 1-3, fitted by plspm on the rows repeated"))

# 3. path scheme, standardized, a one-indicator block and a mode B block.
set.seed(20261206)
d <- sim(500)
put("path_single_std", d, list(
  constructs = list(cons("IMAG", c("img1", "img2", "img3")),
                    cons("QUAL", c("qua1", "qua2", "qua3", "qua4"), "B"),
                    cons("VAL", c("val1")),
                    cons("SAT", c("sat1", "sat2", "sat3")),
                    cons("LOY", c("loy1", "loy2", "loy3"))),
  paths = paths, scheme = "path", standardize = TRUE, index_scale = c(1, 10),
  note = "simulated (gen_cases.R, seed 20261206), 500 customers, VAL one item, QUAL formative"))
