"""Stop words for Dutch and English: function words that carry no theme."""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DUTCH: Final = _words(
    """
    aan al alle alleen als altijd ander andere anders ben bij bijna binnen bv ca daar daarbij daardoor daarin
    daarna daarom daarvan dan dat de deze die dien dit doch doen doet door dus een eens eigen elk elke en er
    erg ergens even evenals geen gehad geweest ghe haar had hadden heb hebben hebt heeft hem hen het hier hij
    hoe hoewel hun iemand iets ik in is ja je jij jou jouw jullie kan kon konden kun kunnen kunt laat later
    liever maar mag me meer mede men mensen met mij mijn moest moet moeten mogen na naar nadat net niet
    niets nog nu of ofwel om omdat onder ons onze ook op over reeds rond samen sinds sommige steeds te tegen
    tenzij ter terwijl tijdens toch toen tot tussen u uit uw van vanaf veel voor vooral vaak want waren was
    wat waar waarom wanneer we wel welk welke werd wie wij wil willen word worden wordt zal zei zeer zelf zich
    zij zijn zo zoals zodat zonder zou zouden zulke zullen zo'n 't 'n d'r m'n z'n hè hé oh ok oké nou dus
    daar's er's eigenlijk gewoon heel echt best even wat's vind vindt vinden hoort zit zitten gaat gaan ga
    ging kom komt komen krijg krijgt krijgen heeft hebben doe deed dingen ding iets
    """
)

ENGLISH: Final = _words(
    """
    a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each either else ever every few for from further get gets got had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm
    i've if in into is isn't it it's its itself just let's like may me might more most much must mustn't my
    myself no nor not now of off often on once one only or other ought our ours ourselves out over own
    really same shall shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those though
    through thus to too under until up upon us very via was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's whether which while who who's whom why why's will with within
    without won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    thing things something anything lot lots want wants need needs make makes made go goes going
    """
)

STOPWORDS: Final = DUTCH | ENGLISH


def is_stopword(token: str) -> bool:
    """True for a function word in Dutch or English (already normalised), a single letter or a bare number."""
    return token in STOPWORDS or len(token) < 2 or token.isdigit()
