import pytest

from cnnkit.book import references as refs


def test_every_entry_formats_with_authors_year_and_title():
    for key in refs._entries():
        text = refs.reference(key)
        who, _, year = refs.citation(key).rpartition(", ")
        assert year[:4].isdigit(), key
        assert f"({year})" in text and "{" not in text and "\\" not in text, text


def test_citations_in_the_text():
    assert refs.citation("lecun1998") == "LeCun et al., 1998"
    assert refs.citation("nair2010") == "Nair & Hinton, 2010"
    assert refs.citation("fukushima1980") == "Fukushima, 1980"
    assert refs.cite("hubel1962", "lecun1998") == "(Hubel & Wiesel, 1962; LeCun et al., 1998)"
    # three works of the same authors and year are told apart by a letter
    years = {refs.citation(k) for k in ("caffe_conv", "caffe_pool", "caffe_alexnet")}
    assert years == {"Jia et al., 2017a", "Jia et al., 2017b", "Jia et al., 2017c"}


def test_reference_list_is_sorted_by_author_and_decodes_latex():
    text = refs.reference_list("srivastava2014", "lecun1998", "alpaydin1998").data
    lines = text.splitlines()
    assert [line.split(",")[0] for line in lines] == ["- Alpaydin", "- LeCun", "- Srivastava"]
    assert "Bottou, L." in text  # L{\'e}on Bottou: an initial, decoded
    assert "<https://doi.org/10.1109/5.726791>" in text


def test_an_unknown_key_names_the_file():
    with pytest.raises(KeyError, match=r"no entry 'lecun2098' in references.bib"):
        refs.citation("lecun2098")
