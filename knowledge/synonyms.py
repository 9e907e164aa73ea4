"""Transit concepts shared by Italian and English words, so a FAQ question meets its entry in other words.

Written from general knowledge of how public-transport FAQs are asked (tickets, passes, fines,
luggage, animals, accessibility, ...), not from any test message. Each word maps, through its stem
(``knowledge.text.stem``), to one or more concept tokens; the FAQ matcher adds those tokens to the
words of both the stored texts and the message.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.text import stem

_CONCEPTS: dict[str, str] = {
    "appeal": "contest contestare contesto contestazione contestazioni ricorso ricorsi ricorrere impugnare"
              " opposizione opporsi annullamento appeal appeals dispute disputing challenge unfair ingiusta"
              " ingiusto sbagliata",
    "fine": "multa multe multato multata multati sanzione sanzioni sanzionato verbale contravvenzione fine fines"
            " fined penalty penalties",
    "pay": "pagare pago paga pagamento pagamenti saldare versamento pay paying payment paid",
    "contactless": "contactless tap tapping bancomat credito debito credit debit visa mastercard amex nfc"
                   " applepay googlepay smartwatch",
    "animal": "cane cani cagnolino cagnolina cucciolo gatto gatti animale animali guinzaglio museruola trasportino"
              " pet pets dog dogs puppy cat cats leash muzzle",
    "stroller": "passeggino passeggini stroller strollers pram prams pushchair buggy",
    "wheelchair": "carrozzina rotelle wheelchair wheelchairs disabile disabili disabilita disabled handicap"
                  " pedana rampa ramp ramps ribassato pianale accessibile accessibili accessible accessibility",
    "luggage": "valigia valige valigie bagaglio bagagli trolley luggage suitcase suitcases baggage",
    "bike": "bici bicicletta biciclette bike bikes bicycle bicycles cycle ciclisti",
    "scooter": "monopattino monopattini scooter scooters",
    "child": "bambino bambina bambini bimbo bimba bimbi figlio figlia figli neonato minorenne minori ragazzi"
             " child children kid kids son daughter toddler infant baby minor underage eta age",
    "buy": "comprare compro comprarlo acquistare acquisto acquisti vendita rivendita rivenditori tabacchi"
           " tabaccaio tabaccheria edicola emettitrice emettitrici macchinetta distributore buy buying"
           " purchase sell sold vending tobacconist newsagent",
    "unattended": "abbandonato abbandonata abbandonati incustodito incustodita sospetto sospetta suspicious"
                  " unattended abandoned",
    "report": "segnalare segnalo segnalazione denunciare avvisare report reporting tell",
    "lost": "perso persa persi perdere smarrito smarrita smarriti dimenticato dimenticata ritrovato ritrovati"
            " lost forgot forgotten left",
    "refund": "rimborso rimborsi rimborsare rimborsato refund refunds refunded reimburse reimbursement",
    "strike": "sciopero scioperi strike strikes",
    "notify": "notifiche notifica avvisi avvisatemi allerta iscrivermi iscriversi iscrizione newsletter"
              " aggiornamenti sms push notification notifications notified alert alerts subscribe updates",
    "timetable": "orario orari timetable timetables schedule schedules frequenza frequency often feriali"
                 " festivi weekdays weekday",
    "night": "notte notturno notturna notturni nottambus night nightbus overnight",
    "airport": "aeroporto aeroporti fiumicino ciampino airport airports flight volo",
    "journey": "arrivare arrivo arrivarci raggiungere percorso itinerario indicazioni directions reach route"
               " journey",
    "student": "studente studenti studentesse universitario universitari scuola student students school"
               " university",
    "month": "mensile mese mensili monthly month",
    "year": "annuale annuali anno annual yearly",
    "renew": "rinnovare rinnovo rinnova ricaricare ricarica renew renewal recharge topup",
    "wifi": "wifi internet connessione",
    "price": "costo costa costano prezzo prezzi tariffa tariffe price prices cost costs fare fares",
    "validate": "timbrare timbro obliterare obliterato convalidare convalida validare validate validation stamp"
                " validator validatrice obliteratrice",
    "tourist": "turista turisti turistico turistica tourist tourists visitor visitors giornaliero daily",
    "phone": "telefono telefonare chiamare chiamo numero call phone contattare contatto contact callcenter",
    "office": "biglietteria biglietterie sportello office offices",
    "parking": "parcheggio parcheggi parcheggiare macchina auto car cars park parking",
    "job": "lavoro lavorare assunzioni assumete assumendo curriculum concorso concorsi job jobs hiring career"
           " careers vacancy vacancies patente",
    "card": "tessera tessere card cards",
    "stolen": "rubato rubata rubati furto stolen theft",
}


def _index() -> dict[str, tuple[str, ...]]:
    by_stem: dict[str, list[str]] = {}
    for concept, words in _CONCEPTS.items():
        for word in words.split():
            tokens = by_stem.setdefault(stem(word), [])
            if f"~{concept}" not in tokens:
                tokens.append(f"~{concept}")
    return {key: tuple(value) for key, value in by_stem.items()}


_BY_STEM = _index()


@lru_cache(maxsize=65536)
def concepts_of(term: str) -> tuple[str, ...]:
    """The concept tokens ("~fine", ...) a stemmed term stands for; () when none."""
    return _BY_STEM.get(term, ())
