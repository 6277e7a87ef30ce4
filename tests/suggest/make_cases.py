#!/usr/bin/env python3
"""Writes the labeled test set for column mapping and key suggestions.

Each case is a folder under cases/ with left.csv, right.csv and expected.json:
{"mappings": [[left, right], ...], "key": {"left": [...], "right": [...]}}.
The data is synthetic but shaped like real exports (renamed, reordered,
abbreviated and translated headers, decoys, composite keys), plus three real
pairs from tests/fixtures. Deterministic: run it again and nothing changes.

Usage: python3 tests/suggest/make_cases.py
"""
import csv
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")

FIRST = ["Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hiro", "Ines", "Jamal", "Kira", "Luis",
         "Mona", "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Viktor", "Wen", "Yara"]
LAST = ["Smith", "Jones", "García", "Müller", "Nguyen", "O'Brien", "Rossi", "Kowalski", "Dubois", "Silva",
        "Tanaka", "Okafor", "Larsen", "Novak", "Haddad", "Cohen"]
CITIES = ["Boston", "Paris", "Berlin", "São Paulo", "Tokyo", "Lagos", "Oslo", "Austin", "Lima", "Madrid",
          "Rome", "Porto", "Ghent", "Quito", "Accra", "Perth"]
DEPTS = ["Sales", "Finance", "Legal", "Support", "R&D", "Ops", "HR"]
STATUS = ["open", "closed", "pending", "on hold"]
PRODUCTS = ["apple", "pear", "fig", "plum", "kiwi", "lime", "date", "yuzu", "quince", "mango", "guava", "lychee"]


def person(r):
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def email(r, i):
    return f"{r.choice(FIRST).lower()}.{i}@example.com".replace("é", "e")


def date(r, year=2024):
    return f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def money(r, hi=5000):
    return f"{r.randint(1, hi * 100) / 100:.2f}"


def write(name, left_cols, right_cols, rows, mappings, key, right_rows=None, shuffle=True, seed=0,
          transform=None):
    """rows: list of dicts keyed by logical field; *_cols: [(header, field)];
    mappings: [(left header, right header)]; key: ([left], [right])."""
    r = random.Random(seed)
    folder = os.path.join(CASES, name)
    os.makedirs(folder, exist_ok=True)
    right_rows = right_rows if right_rows is not None else [dict(x) for x in rows]
    if transform:
        right_rows = [transform(dict(x)) for x in right_rows]
    if shuffle:
        r.shuffle(right_rows)
    for file, cols, data in [("left.csv", left_cols, rows), ("right.csv", right_cols, right_rows)]:
        with open(os.path.join(folder, file), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([h for h, _ in cols])
            for row in data:
                w.writerow([row.get(field, "") for _, field in cols])
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"mappings": [list(m) for m in mappings], "key": {"left": key[0], "right": key[1]}}, f, indent=1)


def same(cols):
    return [(h, h) for h, _ in cols]


def orders(r, n):
    return [{"id": str(1000 + i), "customer": person(r), "amount": money(r), "date": date(r),
             "status": r.choice(STATUS), "qty": str(r.randint(1, 50)), "product": r.choice(PRODUCTS),
             "city": r.choice(CITIES), "email": email(r, i), "note": f"note {r.randint(1, 10**6)}"}
            for i in range(n)]


def change_some(r, rows, fields, share=0.05):
    out = []
    for x in rows:
        x = dict(x)
        if r.random() < share:
            f = r.choice(fields)
            x[f] = x[f] + "x" if not x[f].replace(".", "").isdigit() else str(int(float(x[f])) + 1)
        out.append(x)
    return out


def main():
    shutil.rmtree(CASES, ignore_errors=True)
    os.makedirs(CASES)
    r = random.Random(7)

    rows = orders(r, 400)
    cols = [("id", "id"), ("customer", "customer"), ("amount", "amount"), ("date", "date"), ("status", "status")]
    write("01-reordered", cols, [cols[i] for i in (3, 0, 4, 2, 1)], rows, same(cols), (["id"], ["id"]), seed=1)

    rows = orders(r, 500)
    left = [("customer_id", "id"), ("order_date", "date"), ("total_amount", "amount"), ("ship_city", "city")]
    right = [("CustomerID", "id"), ("OrderDate", "date"), ("TotalAmount", "amount"), ("ShipCity", "city")]
    write("02-case-and-separators", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["customer_id"], ["CustomerID"]), seed=2)

    rows = orders(r, 600)
    left = [("cust_no", "id"), ("qty", "qty"), ("amt", "amount"), ("desc", "product"), ("dt", "date")]
    right = [("customer_number", "id"), ("quantity", "qty"), ("amount", "amount"), ("description", "product"),
             ("date", "date")]
    write("03-abbreviations", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["cust_no"], ["customer_number"]), seed=3)

    rows = orders(r, 300)
    left = [("id", "id"), ("name", "customer"), ("city", "city"), ("quantity", "qty"), ("price", "amount")]
    right = [("id", "id"), ("nombre", "customer"), ("ciudad", "city"), ("cantidad", "qty"), ("precio", "amount")]
    write("04-spanish-headers", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["id"], ["id"]), seed=4)

    rows = [{"ref": f"REF-{i:05d}", "label": f"{r.choice(PRODUCTS)} {r.choice(['box', 'crate', 'bag'])} {i}",
             "price": money(r, 90), "qty": str(r.randint(1, 900))} for i in range(350)]
    left = [("reference", "ref"), ("label", "label"), ("price", "price"), ("quantity", "qty")]
    right = [("référence", "ref"), ("désignation", "label"), ("prix", "price"), ("quantité", "qty")]
    write("05-french-headers", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["reference"], ["référence"]), seed=5)

    rows = [{"emp": str(5000 + i), "name": person(r), "dept": r.choice(DEPTS), "salary": str(r.randint(30, 150) * 1000 + r.randint(0, 999)),
             "since": date(r, r.randint(2000, 2023))} for i in range(450)]
    left = [("employee_id", "emp"), ("name", "name"), ("department", "dept"), ("salary", "salary"), ("hire_date", "since")]
    right = [("mitarbeiter_id", "emp"), ("name", "name"), ("abteilung", "dept"), ("gehalt", "salary"), ("eintritt", "since")]
    write("06-german-headers", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["employee_id"], ["mitarbeiter_id"]), seed=6)

    rows = [{"id": str(i), "created": date(r, 2023), "updated": date(r, 2025), "price": money(r, 300),
             "old": money(r, 300)} for i in range(400)]
    left = [("id", "id"), ("created_date", "created"), ("price", "price")]
    right = [("id", "id"), ("updated_date", "updated"), ("creation", "created"), ("price_old", "old"), ("cost", "price")]
    write("07-decoys", left, right, rows, [("id", "id"), ("created_date", "creation"), ("price", "cost")],
          (["id"], ["id"]), seed=7)

    rows = [{"a": f"C{i:06d}", "b": email(r, i), "c": person(r) + f" {i}", "d": money(r, 10**5)} for i in range(500)]
    left = [("cust", "a"), ("contact", "b"), ("holder", "c"), ("balance", "d")]
    right = [("f_01", "c"), ("f_02", "a"), ("f_03", "d"), ("f_04", "b")]
    write("08-opaque-renames", left, right, rows, [("cust", "f_02"), ("contact", "f_04"), ("holder", "f_01"), ("balance", "f_03")],
          (["cust"], ["f_02"]), seed=8)

    rows = orders(r, 400)
    for x in rows:
        x["fax"] = f"+1-555-{r.randint(1000, 9999)}"
        x["region"] = r.choice(["north", "south", "east", "west"])
        x["batch"] = f"B{r.randint(1, 99)}"
        x["weight"] = f"{r.randint(1, 5000) / 10:.1f}"
    left = [("id", "id"), ("customer", "customer"), ("amount", "amount"), ("status", "status"), ("fax", "fax"), ("region", "region")]
    right = [("id", "id"), ("customer", "customer"), ("amount", "amount"), ("status", "status"), ("batch", "batch"), ("weight_kg", "weight")]
    write("09-extra-columns", left, right, rows, [("id", "id"), ("customer", "customer"), ("amount", "amount"), ("status", "status")],
          (["id"], ["id"]), seed=9)

    rows = [{"store": f"S{s:02d}", "sku": f"K{k:03d}", "qty": str(r.randint(0, 40)), "price": money(r, 50)}
            for s in range(15) for k in range(40)]
    cols = [("store_id", "store"), ("sku", "sku"), ("on_hand", "qty"), ("unit_price", "price")]
    write("10-composite-key", cols, cols, rows, same(cols), (["store_id", "sku"], ["store_id", "sku"]), seed=10)

    rows = orders(r, 500)
    left = [("order_number", "id"), ("customer", "customer"), ("amount", "amount"), ("status", "status")]
    right = [("OrderNo", "id"), ("Customer", "customer"), ("Amount", "amount"), ("Status", "status")]
    write("11-key-named-differently", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["order_number"], ["OrderNo"]), seed=11)

    rows = [{"email": email(r, i), "name": person(r), "age": str(r.randint(18, 90)), "city": r.choice(CITIES)} for i in range(400)]
    cols = [("email", "email"), ("name", "name"), ("age", "age"), ("city", "city")]
    write("12-email-key", cols, [cols[i] for i in (1, 0, 3, 2)], rows, same(cols), (["email"], ["email"]), seed=12)

    rows = orders(r, 3000)
    rr = random.Random(13)
    changed = change_some(rr, rows, ["customer", "amount", "status"])
    changed = [x for x in changed if rr.random() > 0.02] + orders(rr, 60)
    for i, x in enumerate(changed[-60:]):
        x["id"] = str(900000 + i)
    cols = [("id", "id"), ("customer", "customer"), ("amount", "amount"), ("date", "date"), ("status", "status"), ("note", "note")]
    write("13-shuffled-with-changes", cols, cols, rows, same(cols), (["id"], ["id"]), right_rows=changed, seed=13)

    wide_rows = [{f"m{j}": str(r.randint(0, 10**6)) for j in range(30)} | {"row": str(i)} for i in range(300)]
    left = [("row_id", "row")] + [(f"metric_{j:02d}", f"m{j}") for j in range(30)]
    right = [left[0]] + sorted(left[1:], key=lambda c: random.Random(14).random())
    write("14-wide-reordered", left, right, wide_rows, same(left), (["row_id"], ["row_id"]), seed=14)

    rows = [{"id": str(i), "fn": r.choice(FIRST), "ln": r.choice(LAST), "dob": date(r, r.randint(1950, 2005)),
             "phone": f"555-{r.randint(100000, 999999)}"} for i in range(400)]
    left = [("id", "id"), ("firstName", "fn"), ("lastName", "ln"), ("birthDate", "dob"), ("phoneNumber", "phone")]
    right = [("id", "id"), ("first_name", "fn"), ("last_name", "ln"), ("birth_date", "dob"), ("phone_number", "phone")]
    write("15-camel-vs-snake", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["id"], ["id"]), seed=15)

    rows = orders(r, 500)
    for x in rows:
        for f in ("customer", "city", "note"):
            if r.random() < 0.3:
                x[f] = ""
    cols = [("id", "id"), ("customer", "customer"), ("city", "city"), ("note", "note"), ("amount", "amount")]
    write("16-columns-with-nulls", cols, [cols[i] for i in (4, 3, 2, 1, 0)], rows, same(cols), (["id"], ["id"]), seed=16)

    rows = orders(r, 400)
    def eu_date(x):
        y, m, d = x["date"].split("-")
        x["date"] = f"{d}/{m}/{y}"
        return x
    left = [("id", "id"), ("order_date", "date"), ("amount", "amount"), ("status", "status")]
    right = [("id", "id"), ("OrderDate", "date"), ("Amount", "amount"), ("Status", "status")]
    write("17-date-formats-differ", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["id"], ["id"]), seed=17, transform=eu_date)

    rows = [{"code": f"P{i:04d}", "desc": f"{r.choice(PRODUCTS)} {i}", "price": money(r, 80), "qty": str(r.randint(0, 500))} for i in range(300)]
    left = [("codigo", "code"), ("descricao", "desc"), ("preco", "price"), ("quantidade", "qty")]
    right = [("code", "code"), ("description", "desc"), ("price", "price"), ("quantity", "qty")]
    write("18-portuguese-headers", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["codigo"], ["code"]), seed=18)

    rows = [{"id": str(i), "n": person(r), "a": f"{r.randint(1, 300)} {r.choice(['Main St', 'Elm Rd', 'Dam'])}", "c": r.choice(CITIES)} for i in range(300)]
    left = [("klant_id", "id"), ("naam", "n"), ("adres", "a"), ("stad", "c")]
    right = [("customer_id", "id"), ("name", "n"), ("address", "a"), ("city", "c")]
    write("19-dutch-headers", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["klant_id"], ["customer_id"]), seed=19)

    rows = orders(r, 400)
    left = [("tbl_customer_id", "id"), ("cust_name", "customer"), ("cust_email", "email"), ("order_amt", "amount")]
    right = [("customer_id", "id"), ("customer_name", "customer"), ("customer_email", "email"), ("order_amount", "amount")]
    write("20-prefixes-and-abbreviations", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["tbl_customer_id"], ["customer_id"]), seed=20)

    rows = [{"id": str(i), "inv": str(700000 + i * 3), "amount": money(r), "paid": r.choice(["yes", "no"])} for i in range(400)]
    cols = [("id", "id"), ("invoice_no", "inv"), ("amount", "amount"), ("paid", "paid")]
    write("21-two-unique-columns", cols, cols, rows, same(cols), (["id"], ["id"]), seed=21)

    rows = [{"id": str(i), "act": r.choice(["true", "false"]), "ver": r.choice(["true", "false"]), "score": str(r.randint(0, 100))} for i in range(300)]
    left = [("id", "id"), ("active", "act"), ("verified", "ver"), ("score", "score")]
    right = [("id", "id"), ("is_active", "act"), ("is_verified", "ver"), ("score", "score")]
    write("22-boolean-flags-prefixed", left, right, rows, list(zip([h for h, _ in left], [h for h, _ in right])),
          (["id"], ["id"]), seed=22)

    # Real pairs from other projects.
    def real(name, src_left, src_right, mappings, key):
        folder = os.path.join(CASES, name)
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(FIXTURES, src_left), os.path.join(folder, "left.csv"))
        shutil.copy(os.path.join(FIXTURES, src_right), os.path.join(folder, "right.csv"))
        with open(os.path.join(folder, "expected.json"), "w") as f:
            json.dump({"mappings": mappings, "key": {"left": key, "right": key}}, f, indent=1)

    with open(os.path.join(FIXTURES, "qsv", "boston311-100.csv")) as f:
        header = next(csv.reader(f))
    real("23-boston-311", "qsv/boston311-100.csv", "qsv/boston311-100-diff.csv", [[h, h] for h in header], ["case_enquiry_id"])
    real("24-daff-bridges", "daff/bridges.csv", "daff/broken_bridges.csv",
         [["bridge", "bridge"], ["designer", "designer"], ["length", "length"]], ["bridge"])
    folder = os.path.join(CASES, "25-csv-align")
    real("25-csv-align", "csv-align/file_a.csv", "csv-align/file_b.csv",
         [["id", "id"], ["name", "full_name"], ["email", "email_address"], ["amount", "value"]], ["id"])


if __name__ == "__main__":
    main()
