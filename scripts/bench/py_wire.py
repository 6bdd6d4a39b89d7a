"""A stored item in the website's JSON form, as the Python baselines (py_menu_reader.py,
py_functions.py) shape it."""


def wire(item):
    product = {
        "product_name_str": item["product_name"]["S"],
        "product_id_str": item.get("product_id", {}).get("S", ""),
        "price_in_cents_int": int(item.get("price_in_cents", {}).get("N", "0")),
        "description_str": item.get("description", {}).get("S", ""),
        "tag_str_arr": [t.get("S", "") for t in item.get("tags", {}).get("L", [])],
    }
    if "special" in item:
        product["special_int"] = 1
    return product
