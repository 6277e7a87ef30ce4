//! Evidence from column names: `customer_id` and `CustomerID` are the same
//! name written differently; `qty` and `quantity`, or `ciudad` and `city`,
//! are synonyms; `amount_usd` and `amount` share a word.

use strsim::jaro_winkler;

/// How alike two column names are, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameMatch {
    /// 1 for the same name, down to 0 for names with nothing in common.
    pub score: f64,
    /// The reason, for people: "same name", "similar name", ...
    pub reason: &'static str,
}

/// Splits a name into lower-case words: at separators, at camelCase humps
/// and between letters and digits (`CustomerID2` → `customer`, `id`, `2`).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = cur.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let hump = prev.is_lowercase() && c.is_uppercase();
            // The last capital of an acronym starts a new word: "IDNumber" → "ID", "Number".
            let acronym_end =
                prev.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase());
            let digit_edge = prev.is_ascii_digit() != c.is_ascii_digit();
            if hump || acronym_end || digit_edge {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter().map(|w| fold(&w.to_lowercase())).collect()
}

/// Removes accents from common Latin letters so that `número` = `numero`.
fn fold(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => 's',
            c => c,
        })
        .collect()
}

/// Words that mean the same in column names, each group led by the word all
/// of them stand for. Abbreviations, and a few common words of other
/// languages (Spanish, French, German, Portuguese, Italian, Dutch).
const SYNONYMS: &[&[&str]] = &[
    &[
        "id",
        "identifier",
        "ident",
        "key",
        "uid",
        "identificador",
        "identifiant",
        "kennung",
    ],
    &["number", "no", "num", "nbr", "nr", "numero", "nummer", "n"],
    &[
        "quantity",
        "qty",
        "qnty",
        "quant",
        "cantidad",
        "quantite",
        "menge",
        "anzahl",
        "quantidade",
        "quantita",
        "aantal",
    ],
    &[
        "amount", "amt", "importe", "monto", "montant", "betrag", "importo", "bedrag",
    ],
    &[
        "description",
        "desc",
        "descr",
        "descripcion",
        "beschreibung",
        "descricao",
        "descrizione",
        "omschrijving",
    ],
    &["date", "dt", "fecha", "data", "datum", "day"],
    &["time", "tm", "hora", "heure", "zeit", "ora", "tijd"],
    &["timestamp", "ts", "datetime"],
    &["name", "nm", "nombre", "nom", "nome", "naam"],
    &["first", "fname", "given", "vorname", "prenom", "voornaam"],
    &[
        "last",
        "lname",
        "surname",
        "family",
        "apellido",
        "nachname",
        "sobrenome",
        "cognome",
        "achternaam",
    ],
    &["customer", "cust", "client", "cliente", "kunde", "klant"],
    &[
        "address",
        "addr",
        "direccion",
        "adresse",
        "endereco",
        "indirizzo",
        "adres",
    ],
    &[
        "city", "ciudad", "ville", "stadt", "cidade", "citta", "stad", "town",
    ],
    &["country", "cntry", "ctry", "pais", "pays", "land", "paese"],
    &[
        "price", "prc", "precio", "prix", "preis", "preco", "prezzo", "prijs",
    ],
    &[
        "phone",
        "tel",
        "telephone",
        "telefono",
        "telefon",
        "telefone",
        "mobile",
    ],
    &["email", "mail", "correo", "courriel"],
    &[
        "product", "prod", "producto", "produit", "produkt", "produto", "prodotto",
    ],
    &[
        "order",
        "ord",
        "pedido",
        "commande",
        "bestellung",
        "ordine",
        "bestelling",
    ],
    &["category", "cat", "categoria", "categorie", "kategorie"],
    &["status", "stat", "estado", "statut", "zustand", "stato"],
    &["code", "cd", "codigo", "codice"],
    &[
        "company",
        "co",
        "empresa",
        "entreprise",
        "firma",
        "societe",
        "azienda",
        "bedrijf",
    ],
    &[
        "department",
        "dept",
        "dep",
        "departamento",
        "abteilung",
        "departement",
    ],
    &[
        "employee",
        "emp",
        "empl",
        "empleado",
        "employe",
        "mitarbeiter",
        "funcionario",
    ],
    &[
        "account", "acct", "acc", "cuenta", "compte", "konto", "conta",
    ],
    &["reference", "ref", "referencia"],
    &["street", "st", "calle", "rue", "strasse", "rua", "via"],
    &["zip", "postcode", "postal", "plz", "cp", "cep"],
    &["state", "province", "region", "provincia", "bundesland"],
    &["created", "creation", "creado", "cree", "erstellt"],
    &[
        "updated",
        "modified",
        "changed",
        "actualizado",
        "modifie",
        "geandert",
    ],
    &["birth", "dob", "born", "nacimiento", "naissance", "geburt"],
    &["age", "edad", "alter", "idade", "eta"],
    &["weight", "wt", "peso", "poids", "gewicht"],
    &["count", "cnt", "ct"],
    &["average", "avg", "mean"],
    &["minimum", "min"],
    &["maximum", "max"],
    &[
        "percent",
        "pct",
        "percentage",
        "porcentaje",
        "pourcentage",
        "prozent",
    ],
    &[
        "currency", "curr", "ccy", "moneda", "devise", "wahrung", "moeda",
    ],
    &["year", "yr", "ano", "annee", "jahr", "anno", "jaar"],
    &[
        "month", "mon", "mth", "mes", "mois", "monat", "mese", "maand",
    ],
    &[
        "comment",
        "comments",
        "note",
        "notes",
        "remark",
        "remarks",
        "comentario",
        "kommentar",
    ],
    &["score", "points", "pts", "puntos", "punkte"],
    &["unit", "uom", "unidad", "unite", "einheit"],
    &["sku", "article", "item", "articulo", "artikel"],
    &["total", "tot"],
    &["type", "typ", "tipo", "kind"],
    &["value", "val", "valeur", "wert"],
];

/// The word a synonym stands for (the first of its group), or the word itself.
fn canonical(w: &str) -> &str {
    // Plurals: "items" and "item", "addresses" and "address".
    let singular = w
        .strip_suffix("es")
        .filter(|s| s.ends_with("ss") || s.ends_with('x'))
        .or_else(|| {
            w.strip_suffix('s')
                .filter(|s| s.len() >= 3 && !s.ends_with('s'))
        })
        .unwrap_or(w);
    for group in SYNONYMS {
        if group.contains(&w) || group.contains(&singular) {
            return group[0];
        }
    }
    singular
}

/// Words that carry no meaning in a column name: `is_active` is `active`,
/// `tbl_customer` is `customer`.
const FILLER: &[&str] = &[
    "is", "has", "the", "of", "tbl", "col", "fld", "field", "column",
];

/// The name as canonical words, without filler words (unless that leaves none).
fn canonical_form(words: &[String]) -> Vec<&str> {
    let all: Vec<&str> = words
        .iter()
        .map(|w| canonical(w))
        .filter(|w| !w.is_empty())
        .collect();
    let meaningful: Vec<&str> = all
        .iter()
        .copied()
        .filter(|w| !FILLER.contains(w))
        .collect();
    if meaningful.is_empty() {
        all
    } else {
        meaningful
    }
}

/// Compares two column names.
pub fn compare_names(left: &str, right: &str) -> NameMatch {
    if left == right {
        return NameMatch {
            score: 1.0,
            reason: "same name",
        };
    }
    let (lw, rw) = (words(left), words(right));
    if !lw.is_empty() && lw == rw {
        return NameMatch {
            score: 0.97,
            reason: "same name ignoring case/separators",
        };
    }
    let (lc, rc) = (canonical_form(&lw), canonical_form(&rw));
    if !lc.is_empty() && lc == rc {
        return NameMatch {
            score: 0.92,
            reason: "synonymous name",
        };
    }
    let joined = |w: &[&str]| w.concat();
    let (lj, rj) = (joined(&lc), joined(&rc));
    if !lj.is_empty() && lj == rj {
        return NameMatch {
            score: 0.9,
            reason: "same name ignoring case/separators",
        };
    }
    // Shared words over all words (Dice), or over the shorter name's words
    // (`email` within `email_address`), the latter counting for a little less.
    let shared = lc
        .iter()
        .filter(|w| rc.contains(w))
        .count()
        .min(rc.iter().filter(|w| lc.contains(w)).count());
    let tokens = if lc.is_empty() || rc.is_empty() {
        0.0
    } else {
        let dice = 2.0 * shared as f64 / (lc.len() + rc.len()) as f64;
        let within = shared as f64 / lc.len().min(rc.len()) as f64;
        dice.max(0.8 * within)
    };
    let spelling = jaro_winkler(&lj, &rj);
    // Jaro-Winkler is generous to unrelated short strings; only its upper range counts.
    let spelling = ((spelling - 0.7) / 0.3).max(0.0);
    let score = (0.85 * tokens.max(spelling * 0.95)).min(0.85);
    NameMatch {
        score,
        reason: if tokens >= spelling {
            "names share words"
        } else {
            "similar name"
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("CustomerID"), ["customer", "id"]);
        assert_eq!(words("customer_id"), ["customer", "id"]);
        assert_eq!(words("IDNumber"), ["id", "number"]);
        assert_eq!(words("order-date 2"), ["order", "date", "2"]);
        assert_eq!(words("address2"), ["address", "2"]);
        assert_eq!(words("Número"), ["numero"]);
    }

    #[test]
    fn scores_follow_how_alike_names_are() {
        let s = |a, b| compare_names(a, b).score;
        assert_eq!(s("amount", "amount"), 1.0);
        assert!(s("customer_id", "CustomerID") > 0.95);
        assert!(s("qty", "quantity") > 0.9);
        assert!(s("amt", "Amount") > 0.9);
        assert!(s("order_dt", "OrderDate") > 0.9);
        assert!(s("ciudad", "city") > 0.9);
        assert!(s("cust_no", "customer_number") > 0.9);
        assert!(s("amount_usd", "amount") > 0.4);
        assert!(s("email", "zip") < 0.3);
        assert!(s("city", "country") < 0.6);
        assert!(s("created", "updated") < 0.5);
        assert!(s("is_active", "active") > 0.9);
        assert!(s("email", "email_address") > 0.6);
        assert!(s("price", "price_old") < 0.7);
    }
}
